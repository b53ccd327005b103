# nanotdb_add_plugin(<name> SOURCES <plugin.cpp...> [LIBS <targets...>])
#
# Builds the plugin <name> as nanotdb-<name>.so against the SDK (NanoTDB::sdk, linked for you):
# hidden visibility, --no-undefined (every symbol resolved by the SDK, the C++ runtime or LIBS:
# a plugin cannot lean on the daemon's symbols), -z now (immediate binding, so a missing symbol
# fails at load with the plugin's name) and a version script exporting only the entry symbol
# nanotdb_plugin_v1 (see nanotdb/plugin.h). The same file serves the NanoTDB tree and, installed
# with the CMake package, out-of-tree plugins (find_package(NanoTDB)):
#   in the tree  the .so goes to NANOTDB_PLUGIN_OUTPUT_DIR and is installed into
#                <libdir>/nanotdb/plugins; with NANOTDB_STATIC_PLUGINS support, the plugin is
#                also compiled into the one-binary nanotdb (see cmake/NanotdbHelpers.cmake);
#   out of tree  the .so goes to the current binary directory; copy it into plugins.dir.
set(NANOTDB_PLUGIN_EXPORTS_MAP ${CMAKE_CURRENT_LIST_DIR}/plugin-exports.map)

function(nanotdb_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "nanotdb_add_plugin(${name}): SOURCES is required")
  endif()
  string(REPLACE "-" "_" ident ${name})
  set(target nanotdb_plugin_${ident})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} NanoTDB::sdk)
  target_compile_features(${target} PRIVATE cxx_std_20)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "nanotdb-${name}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  # Hidden visibility is not enough: libstdc++ templates (typeinfo of std::variant, to_chars
  # tables) keep default visibility, so a version script makes everything but the entry local.
  target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,-z,now
    -Wl,--exclude-libs,ALL -Wl,--version-script=${NANOTDB_PLUGIN_EXPORTS_MAP})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${NANOTDB_PLUGIN_EXPORTS_MAP})
  if(COMMAND nanotdb_in_tree_plugin)
    nanotdb_in_tree_plugin(${name} ${target} SOURCES ${ARG_SOURCES} LIBS ${ARG_LIBS})
  endif()
endfunction()
