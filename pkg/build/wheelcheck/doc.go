// Package wheelcheck refuses an installed Python tree that the target runtime cannot load, before
// anything built from it is uploaded.
//
// It reads a pip --target tree: the WHEEL file of every top-level *.dist-info directory (its Tag:
// lines), the RECORD files (to tell which distribution owns a file), and every ELF shared object
// (*.so and versioned *.so.N files). It refuses
//
//   - wheels none of whose tags the runtime supports: a platform other than "any" or a manylinux
//     tag for the runtime's architecture and glibc (manylinux_X_Y_<arch>, manylinux2014 = 2.17,
//     manylinux2010 = 2.12, manylinux1 = 2.5); linux_<arch>, musllinux, macosx and win wheels; a
//     CPython ABI for another minor version (cp311-cp311 on 3.12), an abi3 wheel for a newer
//     CPython than the runtime's, or an interpreter other than CPython;
//   - extension modules named for another CPython or platform (.cpython-311-x86_64-linux-gnu.so);
//   - ELF shared objects for another machine or ELF class, and those needing a GLIBC_2.N symbol
//     version newer than the runtime's glibc (from the .gnu.version_r section, read with
//     debug/elf's DynamicVersionNeeds and ImportedSymbols).
//
// It does not check versions of other libraries (GLIBCXX_, CXXABI_ of libstdc++, or libraries the
// runtime may lack): only glibc's are bounded by the manylinux policy the runtime follows.
package wheelcheck
