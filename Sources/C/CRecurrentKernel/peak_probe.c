#include "recurrent_kernel.h"
#include <immintrin.h>

// Sixteen independent accumulators, each updated once per iteration: enough chains to hide the
// multiply-add latency, so the loop runs at the vector unit's issue rate. The result is returned
// so that the compiler keeps the work.

__attribute__((target("avx512f")))
static float fma_chains(long iterations) {
    __m512 acc[16];
    for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps(0.001f * (float)i);
    const __m512 a = _mm512_set1_ps(0.9999f), b = _mm512_set1_ps(0.0001f);
    for (long n = 0; n < iterations; n++)
        for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __m512 sum = acc[0];
    for (int i = 1; i < 16; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx512f,avx512bf16")))
static float bf16_chains(long iterations) {
    __m512 acc[16];
    for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps(0.001f * (float)i);
    const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80), b = (__m512bh)_mm512_set1_epi16(0x3800);   // 1.0, 2^-15
    for (long n = 0; n < iterations; n++)
        for (int i = 0; i < 16; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    __m512 sum = acc[0];
    for (int i = 1; i < 16; i++) sum = _mm512_add_ps(sum, acc[i]);
    return _mm512_reduce_add_ps(sum);
}

float parrot_peak_probe(long iterations, int bf16) {
    return bf16 ? bf16_chains(iterations) : fma_chains(iterations);
}
