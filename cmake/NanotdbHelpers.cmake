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
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY NANOTDB_UNIT_TEST_TARGETS ${name})
  endif()
endfunction()

# In the tree, nanotdb_add_plugin() (cmake/NanoTDBPlugin.cmake, the same file out-of-tree
# plugins get from the installed package) calls this hook: the .so goes to
# build/lib/nanotdb/plugins and is installed, and the plugin is also compiled for the one-binary
# nanotdb (nanotdb_add_daemons in core/server/CMakeLists.txt): the same sources with the entry
# renamed nanotdb_builtin_<name>, in the static library nanotdb_builtin_<name>.
function(nanotdb_in_tree_plugin name target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${NANOTDB_PLUGIN_OUTPUT_DIR})
  if(NOT NANOTDB_STATIC_PLUGINS)
    install(TARGETS ${target} LIBRARY DESTINATION ${NANOTDB_INSTALL_PLUGINDIR} COMPONENT plugins)
  else()
    # Not installed, so not built by default either (a test that loads it still depends on it):
    # the release and Raspberry Pi builds compile each plugin once, into nanotdb.
    set_target_properties(${target} PROPERTIES EXCLUDE_FROM_ALL ON)
  endif()
  string(REPLACE "-" "_" ident ${name})
  add_library(nanotdb_builtin_${ident} STATIC ${ARG_SOURCES})
  target_link_libraries(nanotdb_builtin_${ident} PUBLIC ${ARG_LIBS} nanotdb_sdk)
  target_compile_definitions(nanotdb_builtin_${ident}
    PRIVATE NANOTDB_PLUGIN_ENTRY=nanotdb_builtin_${ident})
  set_property(GLOBAL APPEND PROPERTY NANOTDB_BUILTIN_PLUGINS ${ident})
  set_property(GLOBAL APPEND PROPERTY NANOTDB_BUILTIN_PLUGIN_NAMES ${name})
endfunction()

include(NanoTDBPlugin)
