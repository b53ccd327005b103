# CMake toolchain file for the Raspberry Pi builds: Debian's cross compilers
# (g++-aarch64-linux-gnu, g++-arm-linux-gnueabihf, g++-arm-linux-gnueabi) against a sysroot of
# Debian's packages for the target made by scripts/cross-sysroot. scripts/cross-build passes:
#
#   -DCMAKE_TOOLCHAIN_FILE=cmake/DebianCross.cmake -DNANOTDB_CROSS_ARCH=<arm64|armhf|armel>
#   -DNANOTDB_SYSROOT=<dir>
#
# Libraries, headers, CMake packages and pkg-config files come from the sysroot only; programs
# (protoc, the host's) from this machine. Binaries built for the target run at build time (the
# default engine.toml is rendered by `nanotdb --init`) through qemu-user with the sysroot.

set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES NANOTDB_CROSS_ARCH NANOTDB_SYSROOT)
if(NOT NANOTDB_CROSS_ARCH)
  set(NANOTDB_CROSS_ARCH $ENV{NANOTDB_CROSS_ARCH})
endif()
if(NOT NANOTDB_SYSROOT)
  set(NANOTDB_SYSROOT $ENV{NANOTDB_SYSROOT})
endif()
if(NANOTDB_CROSS_ARCH STREQUAL "arm64")
  set(triplet aarch64-linux-gnu)
  set(CMAKE_SYSTEM_PROCESSOR aarch64)
  set(qemu qemu-aarch64)
elseif(NANOTDB_CROSS_ARCH STREQUAL "armhf")
  set(triplet arm-linux-gnueabihf)
  set(CMAKE_SYSTEM_PROCESSOR armv7l)
  set(qemu qemu-arm)
elseif(NANOTDB_CROSS_ARCH STREQUAL "armel")
  set(triplet arm-linux-gnueabi)
  set(CMAKE_SYSTEM_PROCESSOR armv6l)
  set(qemu qemu-arm)
  # ARMv5TE has no 64-bit atomic instructions: std::atomic<int64_t> calls into libatomic.
  set(CMAKE_C_STANDARD_LIBRARIES_INIT -latomic)
  set(CMAKE_CXX_STANDARD_LIBRARIES_INIT -latomic)
else()
  message(FATAL_ERROR "DebianCross.cmake: NANOTDB_CROSS_ARCH is '${NANOTDB_CROSS_ARCH}'; "
                      "expected arm64, armhf or armel")
endif()
if(NOT IS_DIRECTORY "${NANOTDB_SYSROOT}/usr/lib/${triplet}")
  message(FATAL_ERROR "DebianCross.cmake: NANOTDB_SYSROOT '${NANOTDB_SYSROOT}' is not a "
                      "${NANOTDB_CROSS_ARCH} sysroot (run scripts/cross-sysroot "
                      "${NANOTDB_CROSS_ARCH} <dir>)")
endif()

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_C_COMPILER ${triplet}-gcc)
set(CMAKE_CXX_COMPILER ${triplet}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${triplet})
set(CMAKE_SYSROOT ${NANOTDB_SYSROOT})
set(CMAKE_FIND_ROOT_PATH ${NANOTDB_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR ${qemu} -L ${NANOTDB_SYSROOT})

# pkg-config (zstd, RE2) reads the target's .pc files and prefixes their paths with the sysroot.
set(ENV{PKG_CONFIG_DIR} "")
set(ENV{PKG_CONFIG_LIBDIR}
    "${NANOTDB_SYSROOT}/usr/lib/${triplet}/pkgconfig:${NANOTDB_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} ${NANOTDB_SYSROOT})
