# What `cmake --install` puts besides the binaries, plugins and SDK (those are installed where
# they are built), and the CPack .deb. The release package is built by scripts/build-deb:
# -DNANOTDB_STATIC_PLUGINS=ON (one nanotdb with every plugin compiled in), prefix /usr.
#
# Installed: systemd units (paths rewritten for this prefix) in <prefix>/lib/systemd/system,
# default configs in <sysconfdir>/nanotdb (engine.toml as `nanotdb --init` writes it for the
# plugins of this build, drip.toml), the docs and README in <docdir>.

# Install prefix /usr puts configs in /etc (GNUInstallDirs), any other prefix in <prefix>/etc.
set(NANOTDB_CONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/nanotdb)

foreach(unit nanotdb.service drip.service)
  file(READ ${CMAKE_SOURCE_DIR}/etc/${unit} text)
  string(REPLACE "/usr/local/bin" "${CMAKE_INSTALL_FULL_BINDIR}" text "${text}")
  string(REPLACE "/usr/local/share/doc/nanotdb" "${CMAKE_INSTALL_FULL_DOCDIR}" text "${text}")
  string(REPLACE "/etc/nanotdb" "${NANOTDB_CONFDIR}" text "${text}")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/etc/${unit} CONTENT "${text}")
  install(FILES ${CMAKE_BINARY_DIR}/etc/${unit} DESTINATION lib/systemd/system COMPONENT daemon)
endforeach()

# engine.toml with the commented settings of every plugin this nanotdb has.
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/etc/engine.toml
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${CMAKE_BINARY_DIR}/etc/init
  COMMAND nanotdb --init --config ${CMAKE_BINARY_DIR}/etc/init/engine.toml
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_BINARY_DIR}/etc/init/engine.toml
          ${CMAKE_BINARY_DIR}/etc/engine.toml
  DEPENDS nanotdb ${CMAKE_SOURCE_DIR}/etc/engine.toml
  COMMENT "Rendering the default engine.toml of this nanotdb")
add_custom_target(nanotdb_default_config ALL DEPENDS ${CMAKE_BINARY_DIR}/etc/engine.toml)
install(FILES ${CMAKE_BINARY_DIR}/etc/engine.toml ${CMAKE_SOURCE_DIR}/etc/drip.toml
        DESTINATION ${NANOTDB_CONFDIR} COMPONENT daemon)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT daemon)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT daemon)

# ---- the .deb ------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nanotdb)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "metrics ingest, storage, queries and dashboard in one small daemon")
set(CPACK_PACKAGE_CONTACT "NanoTDB maintainers <nanotdb@localhost>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_STRIP_FILES ON)
if(CMAKE_CROSSCOMPILING AND NANOTDB_CROSS_ARCH)
  # A Raspberry Pi build (cmake/DebianCross.cmake): dpkg-shlibdeps knows only this machine's
  # installed packages, so cmake/deb/CrossDepends.cmake finds the Depends at package time from
  # the binaries' DT_NEEDED and the sysroot's list of which package ships which library.
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${NANOTDB_CROSS_ARCH})
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(NANOTDB_CROSS_READELF ${CMAKE_READELF})
  configure_file(${CMAKE_SOURCE_DIR}/cmake/deb/CrossDepends.cmake.in
                 ${CMAKE_BINARY_DIR}/deb/CrossDepends.cmake @ONLY)
  set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_BINARY_DIR}/deb/CrossDepends.cmake)
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
configure_file(${CMAKE_SOURCE_DIR}/cmake/deb/postinst.in ${CMAKE_BINARY_DIR}/deb/postinst @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/cmake/deb/prerm.in ${CMAKE_BINARY_DIR}/deb/prerm @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/cmake/deb/postrm.in ${CMAKE_BINARY_DIR}/deb/postrm @ONLY)
file(WRITE ${CMAKE_BINARY_DIR}/deb/conffiles
     "${NANOTDB_CONFDIR}/engine.toml\n${NANOTDB_CONFDIR}/drip.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/deb/postinst
    ${CMAKE_BINARY_DIR}/deb/prerm ${CMAKE_BINARY_DIR}/deb/postrm ${CMAKE_BINARY_DIR}/deb/conffiles)
include(CPack)
