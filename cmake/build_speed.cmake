# Build time (issue #16). Every eqt source includes ATen, whose headers take ~8 s of the ~12 s that
# one file takes to compile (gcc -ftime-report: 70% parsing). Two standard CMake features cut that:
#
#  * precompiled headers: ATen, torch's Module and autograd, JSON and fmt are parsed once per target
#    instead of once per file (a file then compiles in ~5 s, of which ~4 s is loading the header);
#  * unity builds: EQT_UNITY_BATCH files are compiled as one translation unit, so that fixed cost is
#    paid once per batch.
#
# Both are on by default, since a fresh clone is built once; a developer who edits one file and wants
# only that file recompiled configures with -DEQT_UNITY_BUILD=OFF. A file that cannot share a unity
# translation unit (it defines macros or names that clash) sets SKIP_UNITY_BUILD_INCLUSION.
option(EQT_PRECOMPILED_HEADERS "Precompile the LibTorch / JSON / fmt headers" ON)
option(EQT_UNITY_BUILD "Compile sources in batches (unity build)" ON)
set(EQT_UNITY_BATCH 8 CACHE STRING "Sources per unity translation unit")

set(EQT_PRECOMPILED_HEADER_LIST
    <ATen/ATen.h> <ATen/Parallel.h> <torch/nn/module.h> <torch/csrc/autograd/autograd.h>
    <torch/csrc/autograd/custom_function.h> <nlohmann/json.hpp> <fmt/format.h>
    <algorithm> <filesystem> <fstream> <functional> <map> <memory> <string> <vector>)

# eqt_speed_up_build(target PRECOMPILE [EXTRA header...]) gives the target its own precompiled
# header; eqt_speed_up_build(target REUSE_FROM other) uses other's, which needs the same compiler
# flags (a library's -fPIC and an executable's -fPIE differ; extra -D macros are fine as long as
# the precompiled headers do not use them); eqt_speed_up_build(target NONE): unity build only.
function(eqt_speed_up_build target mode)
  # -Winvalid-pch: say so when gcc cannot use the precompiled header (it then parses the headers).
  target_compile_options(${target} PRIVATE -Winvalid-pch)
  if(EQT_PRECOMPILED_HEADERS)
    if(mode STREQUAL "PRECOMPILE")
      target_precompile_headers(${target} PRIVATE ${EQT_PRECOMPILED_HEADER_LIST} ${ARGN})
    elseif(mode STREQUAL "REUSE_FROM")
      target_precompile_headers(${target} REUSE_FROM ${ARGN})
    endif()
  endif()
  if(EQT_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${EQT_UNITY_BATCH})
  endif()
endfunction()
