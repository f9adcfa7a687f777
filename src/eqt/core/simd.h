#pragma once
// For hand-written CPU loops that the compiler vectorises: EQT_MULTIVERSION compiles a function
// once per instruction set (AVX-512, AVX2, baseline) and picks one when the program loads, so a
// portable build still runs AVX-512 code where the CPU has it; EQT_INLINE puts templated loop
// bodies into each of those versions.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define EQT_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EQT_MULTIVERSION
#endif
#define EQT_INLINE inline __attribute__((always_inline))
