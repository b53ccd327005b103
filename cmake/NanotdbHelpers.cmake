# Helpers that own flags and naming for NanoTDB targets.

# nanotdb_add_test(<name> SOURCES <files...> LIBS <targets...> [LABELS <labels...>])
# Builds a GoogleTest executable and registers each of its tests with CTest.
function(nanotdb_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    PROPERTIES LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()

set(NANOTDB_PLUGIN_EXPORTS_MAP ${CMAKE_CURRENT_LIST_DIR}/plugin-exports.map)

# nanotdb_add_plugin(<name> SOURCES <plugin.cpp...> LIBS <targets...>)
# Builds plugins/<name> as a shared object named nanotdb-<name>.so in
# build/lib/nanotdb/plugins with hidden visibility, no undefined symbols and immediate binding.
# Only the entry symbol nanotdb_plugin_v1 is exported (see core/include/nanotdb/plugin.h).
function(nanotdb_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  set(target nanotdb_plugin_${name})
  string(REPLACE "-" "_" target ${target})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "nanotdb-${name}"
    LIBRARY_OUTPUT_DIRECTORY ${NANOTDB_PLUGIN_OUTPUT_DIR}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # Hidden visibility is not enough: libstdc++ templates (typeinfo of std::variant, to_chars
  # tables) keep default visibility, so a version script makes everything but the entry local.
  target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,-z,now
    -Wl,--exclude-libs,ALL -Wl,--version-script=${NANOTDB_PLUGIN_EXPORTS_MAP})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${NANOTDB_PLUGIN_EXPORTS_MAP})
  install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/nanotdb/plugins)
endfunction()
