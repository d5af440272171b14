#include <immintrin.h>
#include "recurrent_kernel.h"

// The fused LSTM step of ActivationKernels.lstmCell, sixteen units at a time with AVX-512. Every
// lane does exactly the operations of the Swift version, in the same order and without fused
// multiply-adds (each product and sum is rounded, as there), so the two give the same bits.
#pragma STDC FP_CONTRACT OFF

__attribute__((target("avx512f,avx512dq")))
static inline __m512 exp16(__m512 x) {
    __m512 clamped = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(87.0f), _CMP_GT_OQ), x, _mm512_set1_ps(87.0f));
    clamped = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_LT_OQ), clamped, _mm512_set1_ps(-87.0f));
    const __m512 magic = _mm512_set1_ps(12582912.0f);
    const __m512 shifted = _mm512_add_ps(_mm512_mul_ps(clamped, _mm512_set1_ps(1.442695041f)), magic);
    const __m512 n = _mm512_sub_ps(shifted, magic);
    const __m512i integer = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_castps_si512(magic));
    __m512 r = _mm512_sub_ps(clamped, _mm512_mul_ps(n, _mm512_set1_ps(0.693145751953125f)));
    r = _mm512_sub_ps(r, _mm512_mul_ps(n, _mm512_set1_ps(1.428606765330187e-06f)));
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(0.5f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
    p = _mm512_add_ps(_mm512_mul_ps(p, r), _mm512_set1_ps(1.0f));
    const __m512i exponent = _mm512_slli_epi32(_mm512_add_epi32(integer, _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(exponent));
}

__attribute__((target("avx512f,avx512dq")))
static inline __m512 sigmoid16(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 negated = _mm512_xor_ps(x, _mm512_set1_ps(-0.0f));   // Swift's -x: the sign bit flipped
    return _mm512_div_ps(one, _mm512_add_ps(one, exp16(negated)));
}

__attribute__((target("avx512f,avx512dq")))
static inline __m512 tanh16(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f), two = _mm512_set1_ps(2.0f);
    // Swift's `-2 * x` is the product of −2 and x.
    const __m512 e = exp16(_mm512_mul_ps(_mm512_set1_ps(-2.0f), x));
    return _mm512_sub_ps(_mm512_div_ps(two, _mm512_add_ps(one, e)), one);
}

__attribute__((target("avx512f,avx512dq")))
void parrot_lstm_cell_avx512(float *z, const float *bias, const float *previous, float mask,
                             float *cell, float *tanhCell, float *output, int h) {
    const __m512 m = _mm512_set1_ps(mask);
    for (int j = 0; j < h; j += 16) {
        const __mmask16 k = h - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (h - j)) - 1u);
        #define LOAD(p) _mm512_maskz_loadu_ps(k, (p))
        const __m512 i = sigmoid16(_mm512_add_ps(LOAD(z + j), LOAD(bias + j)));
        const __m512 f = sigmoid16(_mm512_add_ps(LOAD(z + h + j), LOAD(bias + h + j)));
        const __m512 g = tanh16(_mm512_add_ps(LOAD(z + 2 * h + j), LOAD(bias + 2 * h + j)));
        const __m512 o = sigmoid16(_mm512_add_ps(LOAD(z + 3 * h + j), LOAD(bias + 3 * h + j)));
        _mm512_mask_storeu_ps(z + j, k, i);
        _mm512_mask_storeu_ps(z + h + j, k, f);
        _mm512_mask_storeu_ps(z + 2 * h + j, k, g);
        _mm512_mask_storeu_ps(z + 3 * h + j, k, o);
        const __m512 carried = previous ? _mm512_mul_ps(f, LOAD(previous + j)) : _mm512_setzero_ps();
        const __m512 c = _mm512_mul_ps(m, _mm512_add_ps(carried, _mm512_mul_ps(i, g)));
        const __m512 tc = tanh16(c);
        _mm512_mask_storeu_ps(cell + j, k, c);
        _mm512_mask_storeu_ps(tanhCell + j, k, tc);
        _mm512_mask_storeu_ps(output + j, k, _mm512_mul_ps(o, tc));
        #undef LOAD
    }
}

// The backward LSTM step of ActivationKernels.lstmCellBackward for one utterance, sixteen units at
// a time: the same products and sums in the same order as the Swift loop, so the same bits.
__attribute__((target("avx512f,avx512dq")))
void parrot_lstm_cell_backward_avx512(const float *gates, const float *tanhCell, const float *previous, float mask,
                                      const float *dh, float *dc, float *dz, int h) {
    const __m512 m = _mm512_set1_ps(mask), one = _mm512_set1_ps(1.0f);
    for (int j = 0; j < h; j += 16) {
        const __mmask16 k = h - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (h - j)) - 1u);
        #define LOAD(p) _mm512_maskz_loadu_ps(k, (p))
        const __m512 i = LOAD(gates + j), f = LOAD(gates + h + j), g = LOAD(gates + 2 * h + j), o = LOAD(gates + 3 * h + j);
        const __m512 tc = LOAD(tanhCell + j), dhTotal = LOAD(dh + j);
        const __m512 inner = _mm512_mul_ps(_mm512_mul_ps(dhTotal, o), _mm512_sub_ps(one, _mm512_mul_ps(tc, tc)));
        const __m512 dcTotal = _mm512_mul_ps(m, _mm512_add_ps(LOAD(dc + j), inner));
        const __m512 cPrevious = previous ? LOAD(previous + j) : _mm512_setzero_ps();
        _mm512_mask_storeu_ps(dz + j, k, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dcTotal, g), i), _mm512_sub_ps(one, i)));
        _mm512_mask_storeu_ps(dz + h + j, k, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dcTotal, cPrevious), f), _mm512_sub_ps(one, f)));
        _mm512_mask_storeu_ps(dz + 2 * h + j, k, _mm512_mul_ps(_mm512_mul_ps(dcTotal, i), _mm512_sub_ps(one, _mm512_mul_ps(g, g))));
        _mm512_mask_storeu_ps(dz + 3 * h + j, k, _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(dhTotal, tc), o), _mm512_sub_ps(one, o)));
        _mm512_mask_storeu_ps(dc + j, k, _mm512_mul_ps(dcTotal, f));
        #undef LOAD
    }
}
