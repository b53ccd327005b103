# Fails when a plugin (plugins/<name>/, examples/*/) includes anything of the NanoTDB tree but
# the SDK headers (nanotdb/<header> of NANOTDB_SDK_HEADERS and NANOTDB_SDK_REMOTE_WRITE_HEADERS,
# core/sdk/CMakeLists.txt) and its own
# files: no core internals (base/, storage/, server/, query/, nanotdb/engine.h ...), no other
# plugin's headers. System and third-party headers (<...> not under nanotdb/) are not judged.
#   cmake -DSOURCE_DIR=<repo> -DSDK_HEADERS=<;-list> -P plugin_includes.cmake
file(GLOB plugin_dirs LIST_DIRECTORIES true "${SOURCE_DIR}/plugins/*" "${SOURCE_DIR}/examples/*")
set(problems "")
set(checked 0)
foreach(dir IN LISTS plugin_dirs)
  if(NOT IS_DIRECTORY "${dir}")
    continue()
  endif()
  file(GLOB_RECURSE sources RELATIVE "${dir}" "${dir}/*.h" "${dir}/*.hpp" "${dir}/*.cpp"
       "${dir}/*.cc")
  foreach(rel IN LISTS sources)
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${dir}/${rel}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    get_filename_component(rel_dir "${rel}" DIRECTORY)
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]+)[>\"].*" "\\1;\\2" parts
             "${line}")
      list(GET parts 0 quote)
      list(GET parts 1 header)
      set(ok FALSE)
      if(header MATCHES "^nanotdb/(.*)$")
        list(FIND SDK_HEADERS "${CMAKE_MATCH_1}" index)
        if(index GREATER -1)
          set(ok TRUE)
        endif()
      elseif(quote STREQUAL "<")
        set(ok TRUE)  # system or third-party
      elseif(EXISTS "${dir}/${rel_dir}/${header}" AND NOT header MATCHES "\\.\\.")
        set(ok TRUE)  # the plugin's own file
      endif()
      if(NOT ok)
        file(RELATIVE_PATH shown "${SOURCE_DIR}" "${dir}/${rel}")
        if(quote STREQUAL "<")
          string(APPEND problems "  ${shown}: #include <${header}>\n")
        else()
          string(APPEND problems "  ${shown}: #include \"${header}\"\n")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
if(checked EQUAL 0)
  message(FATAL_ERROR "no plugin sources found under ${SOURCE_DIR}/plugins")
endif()
if(problems)
  message(FATAL_ERROR "plugins may include only SDK headers (nanotdb/<header> installed by "
                      "core/sdk) and their own files; these do not:\n${problems}"
                      "Move what they need into the SDK (core/sdk, docs/plugins.md) or into "
                      "the plugin.")
endif()
message(STATUS "${checked} plugin source files include only the SDK and their own files")
