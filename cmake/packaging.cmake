# `cpack -G DEB` in the build folder: the Debian packages of what cmake/install.cmake installs.
#   ltx2         (component Runtime)      the programs ltx2 and ltx2-quantize, libltx2.so.MAJOR.MINOR
#   libltx2-dev  (component Development)  the headers, the libltx2.so link, the static archives,
#                                         ltx2Config.cmake and ltx2.pc; depends on ltx2 of the same version
# The runtime dependencies are not listed here: dpkg-shlibdeps computes them from the libraries the
# programs and libltx2.so link (FFmpeg, oneDNN, libgomp, hiredis, curl, libjpeg, libssl, ...).
# Configure with -DCMAKE_INSTALL_PREFIX=/usr so that GNUInstallDirs chooses Debian's multiarch
# library folder (lib/x86_64-linux-gnu); the packages install under /usr whatever the prefix.
# Only for the top-level project: inside another one, CPack's settings are that project's.
if(NOT PROJECT_IS_TOP_LEVEL)
  return()
endif()

set(LTX2_PACKAGE_MAINTAINER "ltx2.cpp developers <ltx2@localhost>"
    CACHE STRING "Maintainer field of the Debian packages (Name <email>)")
set(LTX2_PACKAGE_HOMEPAGE "" CACHE STRING "Homepage field of the Debian packages (none when empty)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ltx2)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${LTX2_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "Debian packages: the libraries go to /usr/${CMAKE_INSTALL_LIBDIR}; configure with "
                 "-DCMAKE_INSTALL_PREFIX=/usr for Debian's multiarch folder")
endif()

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL Runtime Development)
set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS Runtime)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)  # libltx2-dev: Depends ltx2 (= version)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)        # NAME_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)   # shlibs file and ldconfig trigger for libltx2.so
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(LTX2_PACKAGE_HOMEPAGE)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${LTX2_PACKAGE_HOMEPAGE}")
endif()

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ltx2)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION graphics)
# `ltx2 download` talks HTTPS to the Hugging Face Hub; `ltx2 serve --redis` needs a Redis server.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS ca-certificates)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS redis-server)
# The first line of each description is the package's synopsis. (CPACK_PACKAGE_DESCRIPTION_SUMMARY
# stays unset: CPack would put it in front of both descriptions.)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "native inference engine for the LTX-2 audio+video diffusion models
ltx2.cpp runs the Lightricks LTX-2 and LTX-2.3 video+audio diffusion transformers and their
Gemma 3 text encoder on the CPU, without Python: a prompt goes in, an MP4 with synchronized
video and audio comes out. The package holds the programs ltx2 (generate, serve, worker,
download, locate, inspect; `ltx2 --demo` runs a built-in tiny model) and ltx2-quantize, and
libltx2.so, the C API.")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libltx2-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
# find_package(ltx2 COMPONENTS static) links the static archives, which need the engine's own
# -dev packages (and the OpenCL headers that oneDNN's CMake package asks for); the shared library
# (find_package(ltx2), pkg-config ltx2) needs none of them.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SUGGESTS
    "libdnnl-dev, ocl-icd-opencl-dev, libhwy-dev, nlohmann-json3-dev, libfmt-dev, libcli11-dev, \
libavformat-dev, libavcodec-dev, libswscale-dev, libswresample-dev, libavutil-dev, libjpeg62-turbo-dev, libstb-dev, \
libcurl4-openssl-dev, libssl-dev")
set(CPACK_DEBIAN_DEVELOPMENT_DESCRIPTION
    "development files of ltx2.cpp's C API
The headers <ltx2/ltx2.h> (C) and <ltx2/ltx2.hpp> (header-only C++ layer), the libltx2.so link,
the CMake package (find_package(ltx2): ltx2::ltx2; COMPONENTS static: ltx2::ltx2_static, the
engine as static archives) and the pkg-config file ltx2.pc.")

include(CPack)
