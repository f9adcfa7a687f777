# Sanitizer and fuzzing builds (issue #17; scripts/sanitize.sh and scripts/fuzz.sh use these).
#
#  EQT_SANITIZE=address,undefined   compiles and links everything (eqt, tests, front ends) with
#                                    those -fsanitize= checks; a report stops the process
#                                    (-fno-sanitize-recover), so a test with a report fails.
#  EQT_FUZZ=ON                       clang only: instruments eqt for coverage
#                                    (-fsanitize=fuzzer-no-link) and links the targets in fuzz/
#                                    with libFuzzer. Without it, fuzz/ builds replay executables.
set(EQT_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for every target, e.g. address,undefined")
option(EQT_FUZZ "Build the fuzz/ targets with libFuzzer (clang)" OFF)

if(EQT_SANITIZE)
  add_compile_options(-fsanitize=${EQT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${EQT_SANITIZE})
endif()
if(EQT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "EQT_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
