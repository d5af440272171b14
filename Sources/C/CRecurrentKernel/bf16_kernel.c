#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <immintrin.h>
#include "recurrent_kernel.h"
#include "tile_store.h"

// BF16 products with FP32 accumulation (AVX512_BF16's VDPBF16PS: 32 multiply-adds of BF16 pairs
// per instruction, twice the FP32 FMA's 16). Weights are packed once into panels of 16 output
// columns holding, for each pair of input positions (2q, 2q+1), the 16 columns' two values side
// by side; the input rows are rounded to BF16 pairs a tile at a time.

int parrot_bf16_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

// Round to nearest, ties to even (NaN stays NaN: its high bits keep a set mantissa bit).
static inline uint16_t to_bf16(float value) {
    union { float f; uint32_t u; } bits = { value };
    if ((bits.u & 0x7f800000u) == 0x7f800000u) return (uint16_t)((bits.u >> 16) | ((bits.u & 0xffffu) ? 0x40u : 0u));
    bits.u += 0x7fffu + ((bits.u >> 16) & 1u);
    return (uint16_t)(bits.u >> 16);
}

float parrot_bf16_round(float value) {
    union { uint32_t u; float f; } bits = { (uint32_t)to_bf16(value) << 16 };
    return bits.f;
}

size_t parrot_packed_bf16_size(int n, int k) {
    return (size_t)((n + 15) / 16) * 16 * (size_t)((k + 1) / 2) * 2;
}

// One panel's pair of input positions (panel p, pair q: 16 columns × 2 values) of W, where W[j][i]
// is w[j * rowStride + i * columnStride] — (k, 1) for W given as n × k, (1, ldw) for its transpose —
// and values past n or k are 0.
static void pack_pair(const float *w, int n, int k, size_t rowStride, size_t columnStride, int p, int q, uint16_t *out) {
    for (int c = 0; c < 16; c++)
        for (int e = 0; e < 2; e++) {
            const int j = 16 * p + c, i = 2 * q + e;
            out[c * 2 + e] = j < n && i < k ? to_bf16(w[(size_t)j * rowStride + (size_t)i * columnStride]) : 0;
        }
}

void parrot_pack_rows_bf16(const float *w, int n, int k, uint16_t *packed) {
    const int panels = (n + 15) / 16, pairs = (k + 1) / 2;
    for (int p = 0; p < panels; p++)
        for (int q = 0; q < pairs; q++) pack_pair(w, n, k, (size_t)k, 1, p, q, packed + ((size_t)p * pairs + q) * 32);
}

// Columns given contiguously (W's transpose, k × n, row stride ldw): sixteen columns of two input
// positions are two loads, converted and interleaved (VCVTNEPS2BF16 rounds to nearest even, as
// to_bf16 does); partial panels and an odd last position take pack_pair.
__attribute__((target("avx512f,avx512vl,avx512bf16")))
static void pack_columns_bf16_avx512(const float *w, int n, int k, size_t ldw, uint16_t *packed) {
    const int panels = (n + 15) / 16, pairs = (k + 1) / 2;
    for (int p = 0; p < panels; p++)
        for (int q = 0; q < pairs; q++) {
            uint16_t *out = packed + ((size_t)p * pairs + q) * 32;
            const int j = 16 * p;
            if (j + 16 <= n && 2 * q + 1 < k) {
                const __m256i low = (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(w + (size_t)(2 * q) * ldw + j));
                const __m256i high = (__m256i)_mm512_cvtneps_pbh(_mm512_loadu_ps(w + (size_t)(2 * q + 1) * ldw + j));
                const __m256i a = _mm256_unpacklo_epi16(low, high), b = _mm256_unpackhi_epi16(low, high);
                _mm256_storeu_si256((__m256i *)out, _mm256_permute2x128_si256(a, b, 0x20));
                _mm256_storeu_si256((__m256i *)(out + 16), _mm256_permute2x128_si256(a, b, 0x31));
            } else {
                pack_pair(w, n, k, 1, ldw, p, q, out);
            }
        }
}

void parrot_pack_columns_bf16(const float *w, int n, int k, int ldw, uint16_t *packed) {
    pack_columns_bf16_avx512(w, n, k, (size_t)ldw, packed);
}

// Tiles of eight rows × three panels as in the FP32 kernel; rows are converted to BF16 pairs once
// per tile, then every panel group of the tile is computed from them. X[r][i] is
// x[r·rowStride + i·columnStride]: row-major X (columnStride 1) is converted sixteen positions of
// a row at a time into row-major pairs; X given as its transpose (rowStride 1, as when the
// gradient of a weight is summed over frames) eight rows of one position pair at a time, into
// pair-major order.
__attribute__((target("avx512f,avx512vl,avx512bf16")))
static void convert_tile(const float *x, size_t rowStride, size_t columnStride, int r0, int rows, int k, uint32_t *pairsOut) {
    enum { R = 8 };
    const int pairs = (k + 1) / 2;
    if (columnStride == 1) {
        for (int a = 0; a < rows; a++) {
            const float *xr = x + (size_t)(r0 + a) * rowStride;
            uint32_t *out = pairsOut + (size_t)a * pairs;
            for (int i = 0; i < k; i += 16) {
                const int valid = k - i < 16 ? k - i : 16;
                const __m512 values = _mm512_maskz_loadu_ps((__mmask16)((1u << valid) - 1u), xr + i);
                const __m256i converted = (__m256i)_mm512_cvtneps_pbh(values);
                const int count = (valid + 1) / 2;
                _mm256_mask_storeu_epi32(out + i / 2, (__mmask8)((1u << count) - 1u), converted);
            }
        }
    } else {
        const __mmask8 mask = (__mmask8)((1u << rows) - 1u);
        for (int q = 0; q < pairs; q++) {
            const float *low = x + (size_t)r0 * rowStride + (size_t)(2 * q) * columnStride;
            const __m128i l = (__m128i)_mm256_cvtneps_pbh(_mm256_maskz_loadu_ps(mask, low));
            const __m128i h = 2 * q + 1 < k ? (__m128i)_mm256_cvtneps_pbh(_mm256_maskz_loadu_ps(mask, low + columnStride)) : _mm_setzero_si128();
            _mm_storeu_si128((__m128i *)(pairsOut + (size_t)q * R), _mm_unpacklo_epi16(l, h));
            _mm_storeu_si128((__m128i *)(pairsOut + (size_t)q * R + 4), _mm_unpackhi_epi16(l, h));
        }
    }
}

__attribute__((target("avx512f,avx512vl,avx512bf16")))
static void product_bf16(int m, int n, int k, const float *x, size_t rowStride, size_t columnStride,
                         const uint16_t *packed, float *y, int ldy, int beta) {
    enum { R = 8, P = 3 };
    const int panels = (n + 15) / 16, pairs = (k + 1) / 2;
    const size_t panelStride = (size_t)pairs * 32;   // uint16 values per panel
    // Where row a's pair q sits in rowPairs: row-major or pair-major, as convert_tile writes it.
    const size_t aStride = columnStride == 1 ? (size_t)pairs : 1, qStride = columnStride == 1 ? 1 : R;
    uint32_t *rowPairs = malloc((size_t)R * pairs * sizeof(uint32_t));
    if (!rowPairs) abort();
    for (int r0 = 0; r0 < m; r0 += R) {
        const int rows = m - r0 < R ? m - r0 : R;
        convert_tile(x, rowStride, columnStride, r0, rows, k, rowPairs);
        // A tile of fewer rows runs as a full one with zero rows after its own (the pair-major
        // layout's masked loads already give them); only its own rows are stored, each with the
        // same sums in the same order, so the same bits.
        if (rows < R && columnStride == 1) memset(rowPairs + (size_t)rows * pairs, 0, (size_t)(R - rows) * pairs * sizeof(uint32_t));
        for (int p0 = 0; p0 < panels; p0 += P) {
            const int tilePanels = panels - p0 < P ? panels - p0 : P;
            const uint16_t *wp = packed + (size_t)p0 * panelStride;
            __m512 acc[R][P];
            for (int a = 0; a < R; a++)
                for (int b = 0; b < P; b++) acc[a][b] = _mm512_setzero_ps();
            if (tilePanels == 3) {
                for (int q = 0; q < pairs; q++) {
                    const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp + (size_t)q * 32);
                    const __m512bh w1 = (__m512bh)_mm512_loadu_si512(wp + panelStride + (size_t)q * 32);
                    const __m512bh w2 = (__m512bh)_mm512_loadu_si512(wp + 2 * panelStride + (size_t)q * 32);
                    for (int a = 0; a < R; a++) {
                        const __m512bh v = (__m512bh)_mm512_set1_epi32((int)rowPairs[a * aStride + q * qStride]);
                        acc[a][0] = _mm512_dpbf16_ps(acc[a][0], v, w0);
                        acc[a][1] = _mm512_dpbf16_ps(acc[a][1], v, w1);
                        acc[a][2] = _mm512_dpbf16_ps(acc[a][2], v, w2);
                    }
                }
            } else if (tilePanels == 2) {
                for (int q = 0; q < pairs; q++) {
                    const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp + (size_t)q * 32);
                    const __m512bh w1 = (__m512bh)_mm512_loadu_si512(wp + panelStride + (size_t)q * 32);
                    for (int a = 0; a < R; a++) {
                        const __m512bh v = (__m512bh)_mm512_set1_epi32((int)rowPairs[a * aStride + q * qStride]);
                        acc[a][0] = _mm512_dpbf16_ps(acc[a][0], v, w0);
                        acc[a][1] = _mm512_dpbf16_ps(acc[a][1], v, w1);
                    }
                }
            } else {
                for (int q = 0; q < pairs; q++) {
                    const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp + (size_t)q * 32);
                    for (int a = 0; a < R; a++)
                        acc[a][0] = _mm512_dpbf16_ps(acc[a][0], (__m512bh)_mm512_set1_epi32((int)rowPairs[a * aStride + q * qStride]), w0);
                }
            }
            parrot_store_tile(acc, rows, tilePanels, p0, r0, n, y, ldy, beta);
        }
    }
    free(rowPairs);
}

void parrot_packed_product_bf16(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *y, int ldy, int beta) {
    product_bf16(m, n, k, x, (size_t)ldx, 1, packed, y, ldy, beta);
}

void parrot_packed_product_bf16_transposed(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *y, int ldy, int beta) {
    product_bf16(m, n, k, x, 1, (size_t)ldx, packed, y, ldy, beta);
}
