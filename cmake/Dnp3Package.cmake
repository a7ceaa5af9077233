# Dnp3Package.cmake - CPack .deb packages cut from the install components
# (cmake/Dnp3Install.cmake):
#   libdnp3-1     runtime: libdnp3.so.1, libdnp3crypto.so.1, libdnp3io.so.1, libdnp3decode.so.1
#   libdnp3-dev   headers, static libraries, pkg-config files, CMake package
#   dnp3-tools    the dnp3 command and its man page
# Built with `cpack -G DEB` in the build folder (tests/release/check_packages.sh).
set(CPACK_PACKAGE_NAME libdnp3)
set(CPACK_PACKAGE_VENDOR "libdnp3")
set(CPACK_PACKAGE_CONTACT "libdnp3 maintainers <maintainers@libdnp3.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "DNP3 (IEEE 1815) library: outstation, master, Secure Authentication, TLS")
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libdnp3-${DNP3_SOVERSION})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libc6, libuv1, libssl3, libpcap0.8")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
  "DNP3 (IEEE 1815) shared libraries\n The sans-I/O protocol core, the OpenSSL provider of Secure Authentication, the libuv runtime and the decoder.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libdnp3-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libdnp3-${DNP3_SOVERSION} (= ${PROJECT_VERSION}), libuv1-dev, libssl-dev, libpcap-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "DNP3 (IEEE 1815) library: development files\n Headers, static libraries, pkg-config files and the CMake package of libdnp3.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME dnp3-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "libc6, libuv1, libssl3, libyaml-0-2, libpcap0.8, libsqlite3-0, libpq5, libmosquitto1, libprotobuf-c1")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
  "DNP3 (IEEE 1815) command-line tool\n dnp3 decode, outstation, master and scan.")

include(CPack)
