# `cmake --install`: the shared and static libraries, the public headers, the programs, and the
# packages find_package(ltx2) (ltx2::ltx2, shared; COMPONENTS static: ltx2::ltx2_static) and
# pkg-config (ltx2.pc, shared) find them by. Two install components, which cmake/packaging.cmake
# makes the Debian packages ltx2 and libltx2-dev (a plain `cmake --install` installs both):
# Runtime, the programs and libltx2.so.MAJOR.MINOR; Development, everything that only builds
# against it (headers, the libltx2.so link, the static archives, the CMake and pkg-config files).
include(CMakePackageConfigHelpers)

set(LTX2_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ltx2")
# The static library is the C API's layer with the layers it uses, each its own archive.
set(LTX2_STATIC_LAYERS ltx2_capi ltx2_app ltx2_pipelines ltx2_models ltx2_diffusion ltx2_lora ltx2_io ltx2_ops
    ltx2_kernels_cpu ltx2_core)
set_target_properties(ltx2_capi PROPERTIES EXPORT_NAME ltx2_static)
target_include_directories(ltx2_capi PUBLIC "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")

install(TARGETS ltx2_shared EXPORT ltx2Targets
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT Runtime NAMELINK_COMPONENT Development)
install(TARGETS ${LTX2_STATIC_LAYERS} EXPORT ltx2StaticTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}/ltx2" COMPONENT Development)
install(FILES include/ltx2/ltx2.h include/ltx2/ltx2.hpp include/ltx2/version.h
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/ltx2" COMPONENT Development)
install(TARGETS ltx2 ltx2-quantize RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT Runtime)

install(EXPORT ltx2Targets NAMESPACE ltx2:: DESTINATION "${LTX2_CMAKE_DIR}" COMPONENT Development)
install(EXPORT ltx2StaticTargets NAMESPACE ltx2:: DESTINATION "${LTX2_CMAKE_DIR}" COMPONENT Development)
configure_package_config_file(cmake/ltx2Config.cmake.in "${PROJECT_BINARY_DIR}/ltx2Config.cmake"
                              INSTALL_DESTINATION "${LTX2_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ltx2ConfigVersion.cmake" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/ltx2Config.cmake" "${PROJECT_BINARY_DIR}/ltx2ConfigVersion.cmake"
        DESTINATION "${LTX2_CMAKE_DIR}" COMPONENT Development)

# Relocatable: the prefix is found from where the .pc file lies (pkg-config's pcfiledir).
file(RELATIVE_PATH LTX2_PC_PREFIX_FROM_PCFILEDIR "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" LTX2_PC_PREFIX_FROM_PCFILEDIR "${LTX2_PC_PREFIX_FROM_PCFILEDIR}")
configure_file(cmake/ltx2.pc.in "${PROJECT_BINARY_DIR}/ltx2.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/ltx2.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT Development)
