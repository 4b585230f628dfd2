# Helpers shared by every module.
#
# ecotone_library(NAME SOURCES a.cc b.cc DEPS ecotone_model yaml-cpp)
#   builds ecotone_NAME with include/ PUBLIC and src/NAME PRIVATE.
# ecotone_test(src/graph/graph_test.cc LIBS ecotone_graph)
#   one GoogleTest executable per file, discovered by CTest.

set(ECOTONE_WARNINGS -Wall -Wextra -Wno-unused-parameter)

function(ecotone_library name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ecotone_${name} STATIC ${L_SOURCES})
  target_include_directories(ecotone_${name}
    PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src/${name} ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(ecotone_${name} PRIVATE ${ECOTONE_WARNINGS})
  target_link_libraries(ecotone_${name} PUBLIC ${L_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  if(ECOTONE_FUZZ)
    # The fuzz build compiles only what its targets link.
    set_target_properties(ecotone_${name} PROPERTIES EXCLUDE_FROM_ALL TRUE)
  endif()
endfunction()

function(ecotone_test file)
  if(NOT ECOTONE_TESTS OR ECOTONE_FUZZ)
    return()
  endif()
  cmake_parse_arguments(T "" "" "LIBS" ${ARGN})
  get_filename_component(tname ${file} NAME_WE)
  add_executable(${tname} ${file})
  target_include_directories(${tname} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${tname} PRIVATE ${ECOTONE_WARNINGS})
  target_link_libraries(${tname} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${tname} PRIVATE
    ECOTONE_SHARED_DATA="${ECOTONE_SHARED_DATA}"
    ECOTONE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ECOTONE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${tname} DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "ECOTONE_BIN=$<TARGET_FILE_DIR:ecotone>/ecotone")
endfunction()
