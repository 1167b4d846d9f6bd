# libltx2.so: the C API (include/ltx2/ltx2.h, src/capi) with the whole engine inside it. Only the
# ltx2_* functions are exported (cmake/ltx2.map); the engine's C++ symbols and its static
# dependencies stay private, so a program linking it needs no other library of ours.
file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/ltx2_shared_library.c"
     CONTENT "/* libltx2.so is src/capi and the layers below it (cmake/shared_library.cmake). */\n")
add_library(ltx2_shared SHARED "${PROJECT_BINARY_DIR}/ltx2_shared_library.c")
target_link_libraries(ltx2_shared PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,ltx2_capi>")
target_include_directories(ltx2_shared PUBLIC "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>"
                                              "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
target_link_options(ltx2_shared PRIVATE "LINKER:--version-script=${PROJECT_SOURCE_DIR}/cmake/ltx2.map"
                    "LINKER:--no-undefined")
set_target_properties(ltx2_shared PROPERTIES OUTPUT_NAME ltx2 EXPORT_NAME ltx2 LINKER_LANGUAGE CXX
                      VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
                      LINK_DEPENDS "${PROJECT_SOURCE_DIR}/cmake/ltx2.map")

# The names a parent project (add_subdirectory) uses, as find_package(ltx2) gives them.
add_library(ltx2::ltx2 ALIAS ltx2_shared)
add_library(ltx2::ltx2_static ALIAS ltx2_capi)
