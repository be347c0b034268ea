# Build rules shared by every part of ElkFS.

set(ELKFS_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 at -O2 reports std::variant/std::optional members as maybe-uninitialized when they
  # are not (a known false positive); it would make optimised builds unbuildable under -Werror.
  # The same holds for its flow-based bounds checks on inlined library code (seen on
  # std::copy_n into a vector, std::streambuf): they fire only at -O2 and only on correct code.
  list(APPEND ELKFS_WARNINGS -Wno-maybe-uninitialized -Wno-array-bounds -Wno-stringop-overflow
       -Wno-stringop-overread -Wno-restrict)
endif()
if(ELKFS_WERROR)
  list(APPEND ELKFS_WARNINGS -Werror)
endif()

if(ELKFS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(ELKFS_FUZZ)
  # Every object gets coverage instrumentation; only fuzz targets link the fuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# elk_library(NAME SOURCES... [LIBS ...]) - a static library with the project's warnings.
function(elk_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ELKFS_WARNINGS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_LIBS})
endfunction()

# elk_program(NAME SOURCES... [LIBS ...] [DEST sbin|bin] COMPONENT c) - an installed program;
# COMPONENT names the Debian package it goes to (elkfs-c; see packaging/cpack.cmake).
function(elk_program name)
  cmake_parse_arguments(ARG "" "DEST;COMPONENT" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_COMPONENT)
    message(FATAL_ERROR "elk_program(${name}): no COMPONENT (which package ships it?)")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ELKFS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  # Every program in one folder, so scripts and the cluster harness find them together.
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  if(NOT ARG_DEST)
    set(ARG_DEST bin)
  endif()
  install(TARGETS ${name} RUNTIME DESTINATION ${ARG_DEST} COMPONENT ${ARG_COMPONENT})
endfunction()

# elk_test(NAME SOURCES... [LIBS ...] [LABELS ...] [TIMEOUT s]) - a GoogleTest program
# registered with CTest as one test (so ctest's summary counts programs, and each
# program prints its own cases).
function(elk_test name)
  if(NOT ELKFS_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ELKFS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=0)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()

# elk_fuzz(NAME SOURCES... [LIBS ...]) - a libFuzzer target, built only with ELKFS_FUZZ.
function(elk_fuzz name)
  if(NOT ELKFS_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ELKFS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY ELKFS_FUZZ_TARGETS ${name})
endfunction()

# elk_benchmark(NAME SOURCES... [LIBS ...]) - a Google Benchmark program.
function(elk_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ELKFS_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} benchmark::benchmark benchmark::benchmark_main)
endfunction()
