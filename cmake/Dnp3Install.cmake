# Dnp3Install.cmake - what `cmake --install` puts where: the headers (include/dnp3),
# the static and shared libraries, the dnp3 command and its man page dnp3(1),
# pkg-config files (dnp3, dnp3-crypto, dnp3-io, dnp3-decode) and the CMake package
# (find_package(dnp3 CONFIG) -> dnp3::dnp3, dnp3::crypto, dnp3::io, dnp3::decode and
# their *_static twins). The CPack .deb packages are cut from the same components:
# runtime (shared libraries), dev (headers, static libraries, pkg-config, CMake
# package), tools (dnp3, man page).
include(CMakePackageConfigHelpers)

set(DNP3_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dnp3)

install(DIRECTORY include/dnp3 DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/dnp3/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dnp3 COMPONENT dev)

set(DNP3_INSTALL_LIBS dnp3core dnp3crypto)
if(TARGET dnp3io)
  list(APPEND DNP3_INSTALL_LIBS dnp3io dnp3decode)
endif()
foreach(lib ${DNP3_INSTALL_LIBS})
  install(TARGETS ${lib} EXPORT dnp3Targets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
  if(TARGET ${lib}_shared)
    install(TARGETS ${lib}_shared EXPORT dnp3Targets
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_SKIP)
    install(TARGETS ${lib}_shared EXPORT dnp3Targets
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev NAMELINK_ONLY)
  endif()
endforeach()

install(EXPORT dnp3Targets NAMESPACE dnp3:: DESTINATION ${DNP3_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/dnp3Config.cmake.in
  ${PROJECT_BINARY_DIR}/dnp3Config.cmake INSTALL_DESTINATION ${DNP3_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dnp3ConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dnp3Config.cmake ${PROJECT_BINARY_DIR}/dnp3ConfigVersion.cmake
        DESTINATION ${DNP3_CMAKE_DIR} COMPONENT dev)

# pkg-config: relocatable, the prefix is found from where the .pc file lies (${pcfiledir}),
# so an install into any prefix (or a package unpacked under /usr) needs no editing.
file(RELATIVE_PATH DNP3_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" DNP3_PC_TO_PREFIX "${DNP3_PC_TO_PREFIX}")
foreach(pc dnp3 dnp3-crypto dnp3-io dnp3-decode)
  if((pc STREQUAL "dnp3-io" OR pc STREQUAL "dnp3-decode") AND NOT TARGET dnp3io)
    continue()
  endif()
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${pc}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

if(TARGET dnp3)
  install(TARGETS dnp3 RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
  # dnp3(1) from the command's own help text (cmake/gen-man.cmake)
  add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/dnp3.1
    COMMAND ${CMAKE_COMMAND} -DDNP3=$<TARGET_FILE:dnp3> -DOUT=${PROJECT_BINARY_DIR}/dnp3.1
            -DVERSION=${PROJECT_VERSION} -P ${PROJECT_SOURCE_DIR}/cmake/gen-man.cmake
    DEPENDS dnp3 ${PROJECT_SOURCE_DIR}/cmake/gen-man.cmake
    COMMENT "Writing the man page dnp3(1) from dnp3 help")
  add_custom_target(dnp3_man ALL DEPENDS ${PROJECT_BINARY_DIR}/dnp3.1)
  install(FILES ${PROJECT_BINARY_DIR}/dnp3.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)
endif()

include(cmake/Dnp3Package.cmake)
