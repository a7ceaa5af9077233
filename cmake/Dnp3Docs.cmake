# `cmake --build build --target docs`: the API reference (HTML) from the comments of
# include/dnp3, by Doxygen with docs/Doxyfile, into build/docs/html. It reads the generated
# dnp3/version.h instead of its template. Not part of `all`; absent when doxygen is not installed
# (tests/scripts/test_docs.sh then skips as well).
find_program(DNP3_DOXYGEN doxygen)
if(DNP3_DOXYGEN)
  set(DNP3_DOXYFILE ${CMAKE_BINARY_DIR}/Doxyfile.docs)
  file(WRITE ${DNP3_DOXYFILE}
    "@INCLUDE = ${PROJECT_SOURCE_DIR}/docs/Doxyfile\n"
    "OUTPUT_DIRECTORY = ${CMAKE_BINARY_DIR}/docs\n"
    "PROJECT_NUMBER = ${PROJECT_VERSION}\n"
    "FILE_PATTERNS = *.h\n"
    "INPUT = ${PROJECT_SOURCE_DIR}/include/dnp3 ${CMAKE_BINARY_DIR}/include/dnp3/version.h\n"
    "INCLUDE_PATH = ${PROJECT_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/include\n")
  add_custom_target(docs
    COMMAND ${DNP3_DOXYGEN} ${DNP3_DOXYFILE}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "API reference: ${CMAKE_BINARY_DIR}/docs/html/index.html"
    VERBATIM)
endif()
