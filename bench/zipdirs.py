"""Baseline zipper of bench/compare.sh: what the Lithops CLI does, Python's zipfile with
ZIP_DEFLATED over a folder.

usage: python3 zipdirs.py OUT.zip DIR [PREFIX] [OUT2.zip DIR2 [PREFIX2]] ...  (PREFIX "-" for none)
"""
import os
import sys
import zipfile


def zipdir(out, src, prefix):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for root, dirs, files in os.walk(src):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                arc = os.path.relpath(path, src)
                zf.write(path, prefix + arc)


def main(args):
    while args:
        out, src, prefix = args[0], args[1], args[2]
        zipdir(out, src, "" if prefix == "-" else prefix)
        args = args[3:]


if __name__ == "__main__":
    main(sys.argv[1:])
