# Dnp3Library.cmake - dnp3_add_library(): one library of libdnp3 built twice from
# one set of objects, as a static archive and as a shared object with a SONAME.
#
#   dnp3_add_library(<name> OUTPUT <file base> EXPORT <exported name> SOURCES ...)
#
# makes <name> (static, lib<file base>.a; exported as dnp3::<exported name>_static)
# and, with DNP3_SHARED, <name>_shared (lib<file base>.so.<major>; exported as
# dnp3::<exported name>). Both compile with -fvisibility=hidden: only functions
# marked DNP3_API (include/dnp3/export.h) leave the shared object. Inside the
# project the tests, benchmarks, fuzzers and the dnp3 command link the static
# archives, which also give them the internal functions they test.
function(dnp3_add_library name)
  cmake_parse_arguments(L "" "OUTPUT;EXPORT" "SOURCES" ${ARGN})
  add_library(${name}_objects OBJECT ${L_SOURCES})
  target_include_directories(${name}_objects
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${name}_objects PRIVATE ${DNP3_WARNINGS})
  set_target_properties(${name}_objects PROPERTIES
    POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)

  add_library(${name} STATIC $<TARGET_OBJECTS:${name}_objects>)
  set_target_properties(${name} PROPERTIES OUTPUT_NAME ${L_OUTPUT} EXPORT_NAME ${L_EXPORT}_static)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

  if(DNP3_SHARED)
    add_library(${name}_shared SHARED $<TARGET_OBJECTS:${name}_objects>)
    set_target_properties(${name}_shared PROPERTIES
      OUTPUT_NAME ${L_OUTPUT} EXPORT_NAME ${L_EXPORT}
      VERSION ${PROJECT_VERSION} SOVERSION ${DNP3_SOVERSION})
    target_include_directories(${name}_shared PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    if(NOT DNP3_SANITIZE AND NOT DNP3_FUZZ)
      # every symbol resolved at link time (the sanitizer runtimes come from the program)
      target_link_options(${name}_shared PRIVATE -Wl,--no-undefined)
    endif()
  endif()
endfunction()

# dnp3_link(<name> PUBLIC|PRIVATE deps...): the same dependencies for the objects,
# the static and the shared library; a dependency <dep> that is one of ours is
# taken as <dep>_shared for the shared library.
function(dnp3_link name scope)
  set(static_deps ${ARGN})
  set(shared_deps)
  foreach(d ${ARGN})
    if(TARGET ${d}_shared)
      list(APPEND shared_deps ${d}_shared)
    else()
      list(APPEND shared_deps ${d})
    endif()
  endforeach()
  target_link_libraries(${name}_objects ${scope} ${static_deps})
  target_link_libraries(${name} ${scope} ${static_deps})
  if(TARGET ${name}_shared)
    target_link_libraries(${name}_shared ${scope} ${shared_deps})
  endif()
endfunction()
