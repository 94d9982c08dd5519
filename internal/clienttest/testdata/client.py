# An unmodified Lithops client: the program a user runs, with the config file named by
# LITHOPS_CONFIG_FILE. It prints one JSON line with what it got.
import json
import sys

import lithops


def add_seven(x):
    return x + 7


def main():
    fexec = lithops.FunctionExecutor(log_level='DEBUG')
    future = fexec.call_async(add_seven, 3)
    single = fexec.get_result(fs=[future], timeout=150)
    if isinstance(single, list):
        single = single[0]
    futures = fexec.map(add_seven, [1, 2, 3])
    mapped = fexec.get_result(fs=futures, timeout=150)
    print('CLIENT-RESULT ' + json.dumps({'call_async': single, 'map': mapped}), flush=True)


if __name__ == '__main__':
    sys.exit(main())
