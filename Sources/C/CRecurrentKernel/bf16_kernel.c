#include <stdint.h>
#include <stdlib.h>
#include <immintrin.h>
#include "recurrent_kernel.h"
#include "tile_store.h"

// BF16 products with FP32 accumulation (AVX512_BF16's VDPBF16PS: 32 multiply-adds of BF16 pairs
// per instruction, twice the FP32 FMA's 16). Weights are packed once into panels of 16 output
// columns holding, for each pair of input positions (2q, 2q+1), the 16 columns' two values side
// by side; the input rows are rounded to BF16 pairs a tile at a time.

int parrot_bf16_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
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

void parrot_pack_rows_bf16(const float *w, int n, int k, uint16_t *packed) {
    const int panels = (n + 15) / 16, pairs = (k + 1) / 2;
    for (int p = 0; p < panels; p++)
        for (int q = 0; q < pairs; q++)
            for (int c = 0; c < 16; c++)
                for (int e = 0; e < 2; e++) {
                    const int j = 16 * p + c, i = 2 * q + e;
                    packed[(((size_t)p * pairs + q) * 16 + c) * 2 + e] = j < n && i < k ? to_bf16(w[(size_t)j * k + i]) : 0;
                }
}

// Tiles of eight rows × three panels as in the FP32 kernel; rows are converted once per tile,
// then every panel group of the tile is computed from them.
__attribute__((target("avx512f,avx512bf16")))
static void product_bf16(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *y, int ldy, int beta) {
    enum { R = 8, P = 3 };
    const int panels = (n + 15) / 16, pairs = (k + 1) / 2;
    const size_t panelStride = (size_t)pairs * 32;   // uint16 values per panel
    uint32_t *rowPairs = malloc((size_t)R * pairs * sizeof(uint32_t));
    if (!rowPairs) abort();
    for (int r0 = 0; r0 < m; r0 += R) {
        const int rows = m - r0 < R ? m - r0 : R;
        for (int a = 0; a < rows; a++) {
            const float *xr = x + (size_t)(r0 + a) * ldx;
            for (int q = 0; q < pairs; q++) {
                const uint32_t low = to_bf16(xr[2 * q]);
                const uint32_t high = 2 * q + 1 < k ? to_bf16(xr[2 * q + 1]) : 0;
                rowPairs[(size_t)a * pairs + q] = low | (high << 16);
            }
        }
        for (int p0 = 0; p0 < panels; p0 += P) {
            const int tilePanels = panels - p0 < P ? panels - p0 : P;
            const uint16_t *wp = packed + (size_t)p0 * panelStride;
            __m512 acc[R][P];
            for (int a = 0; a < R; a++)
                for (int b = 0; b < P; b++) acc[a][b] = _mm512_setzero_ps();
            if (rows == R && tilePanels == P) {
                for (int q = 0; q < pairs; q++) {
                    const __m512bh w0 = (__m512bh)_mm512_loadu_si512(wp + (size_t)q * 32);
                    const __m512bh w1 = (__m512bh)_mm512_loadu_si512(wp + panelStride + (size_t)q * 32);
                    const __m512bh w2 = (__m512bh)_mm512_loadu_si512(wp + 2 * panelStride + (size_t)q * 32);
                    for (int a = 0; a < R; a++) {
                        const __m512bh v = (__m512bh)_mm512_set1_epi32((int)rowPairs[(size_t)a * pairs + q]);
                        acc[a][0] = _mm512_dpbf16_ps(acc[a][0], v, w0);
                        acc[a][1] = _mm512_dpbf16_ps(acc[a][1], v, w1);
                        acc[a][2] = _mm512_dpbf16_ps(acc[a][2], v, w2);
                    }
                }
            } else {
                for (int q = 0; q < pairs; q++)
                    for (int b = 0; b < tilePanels; b++) {
                        const __m512bh w = (__m512bh)_mm512_loadu_si512(wp + b * panelStride + (size_t)q * 32);
                        for (int a = 0; a < rows; a++)
                            acc[a][b] = _mm512_dpbf16_ps(acc[a][b], (__m512bh)_mm512_set1_epi32((int)rowPairs[(size_t)a * pairs + q]), w);
                    }
            }
            parrot_store_tile(acc, rows, tilePanels, p0, r0, n, y, ldy, beta);
        }
    }
    free(rowPairs);
}

void parrot_packed_product_bf16(int m, int n, int k, const float *x, int ldx, const uint16_t *packed, float *y, int ldy, int beta) {
    product_bf16(m, n, k, x, ldx, packed, y, ldy, beta);
}
