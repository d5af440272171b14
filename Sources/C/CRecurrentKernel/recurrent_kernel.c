#include <stdatomic.h>
#include "recurrent_kernel.h"
#include "tile_store.h"
#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

int parrot_recurrent_kernel_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}

size_t parrot_packed_size(int n, int k) {
    return (size_t)((n + 15) / 16) * 16 * (size_t)k;
}

// Panel p holds columns 16p … 16p+15: for each i, the 16 values W[16p + c][i] side by side.
void parrot_pack_rows(const float *w, int n, int k, float *packed) {
    int panels = (n + 15) / 16;
    for (int p = 0; p < panels; p++)
        for (int i = 0; i < k; i++)
            for (int c = 0; c < 16; c++) {
                int j = 16 * p + c;
                packed[((size_t)p * k + i) * 16 + c] = j < n ? w[(size_t)j * k + i] : 0.0f;
            }
}

void parrot_pack_columns(const float *w, int n, int k, float *packed) {
    int panels = (n + 15) / 16;
    for (int p = 0; p < panels; p++)
        for (int i = 0; i < k; i++)
            for (int c = 0; c < 16; c++) {
                int j = 16 * p + c;
                packed[((size_t)p * k + i) * 16 + c] = j < n ? w[(size_t)i * n + j] : 0.0f;
            }
}

// Tiles of eight rows × three panels (48 columns): 24 accumulators, three weight loads and eight
// broadcasts per step of i, so each weight panel is read from cache once per eight rows. A tile of
// fewer rows (the last rows of m, as when a packed batch's step has 13 utterances) runs the
// eight-row paths on a copy of its rows with zero rows after them, and stores only its own: each
// row's sums are the same operations in the same order either way, so the same bits. Tiles of
// two or one panels (the last of a product) have paths of their own; columns past n are masked
// off when storing.
__attribute__((target("avx512f,avx512dq,fma")))
static void product_avx512(int m, int n, int k, const float *x, int ldxFull, const float *packed,
                           float *y, int ldy, int beta) {
    enum { R = 8, P = 3 };
    const int panels = (n + 15) / 16;
    const size_t panelStride = (size_t)k * 16;
    // The last rows of m when they are fewer than R, zero-padded to R rows of stride k.
    const int lastRows = m % R;
    float *padded = NULL;
    if (lastRows) {
        padded = calloc((size_t)R * k, sizeof(float));
        if (!padded) abort();
        for (int a = 0; a < lastRows; a++) memcpy(padded + (size_t)a * k, x + (size_t)(m - lastRows + a) * ldxFull, (size_t)k * sizeof(float));
    }
    for (int p0 = 0; p0 < panels; p0 += P) {
        const int tilePanels = panels - p0 < P ? panels - p0 : P;
        const float *wp = packed + (size_t)p0 * panelStride;
        for (int r0 = 0; r0 < m; r0 += R) {
            const int rows = m - r0 < R ? m - r0 : R;
            __m512 acc[R][P];
            for (int a = 0; a < R; a++)
                for (int b = 0; b < P; b++) acc[a][b] = _mm512_setzero_ps();
            const size_t ldx = rows == R ? (size_t)ldxFull : (size_t)k;
            const float *xr = rows == R ? x + (size_t)r0 * ldx : padded;
            if (tilePanels == 3) {
                for (int i = 0; i < k; i++) {
                    const __m512 w0 = _mm512_loadu_ps(wp + i * 16);
                    const __m512 w1 = _mm512_loadu_ps(wp + panelStride + i * 16);
                    const __m512 w2 = _mm512_loadu_ps(wp + 2 * panelStride + i * 16);
                    for (int a = 0; a < R; a++) {
                        const __m512 v = _mm512_set1_ps(xr[(size_t)a * ldx + i]);
                        acc[a][0] = _mm512_fmadd_ps(v, w0, acc[a][0]);
                        acc[a][1] = _mm512_fmadd_ps(v, w1, acc[a][1]);
                        acc[a][2] = _mm512_fmadd_ps(v, w2, acc[a][2]);
                    }
                }
            } else if (tilePanels == 2) {
                for (int i = 0; i < k; i++) {
                    const __m512 w0 = _mm512_loadu_ps(wp + i * 16);
                    const __m512 w1 = _mm512_loadu_ps(wp + panelStride + i * 16);
                    for (int a = 0; a < R; a++) {
                        const __m512 v = _mm512_set1_ps(xr[(size_t)a * ldx + i]);
                        acc[a][0] = _mm512_fmadd_ps(v, w0, acc[a][0]);
                        acc[a][1] = _mm512_fmadd_ps(v, w1, acc[a][1]);
                    }
                }
            } else if (tilePanels == 1) {
                for (int i = 0; i < k; i++) {
                    const __m512 w0 = _mm512_loadu_ps(wp + i * 16);
                    for (int a = 0; a < R; a++)
                        acc[a][0] = _mm512_fmadd_ps(_mm512_set1_ps(xr[(size_t)a * ldx + i]), w0, acc[a][0]);
                }
            }
            parrot_store_tile(acc, rows, tilePanels, p0, r0, n, y, ldy, beta);
        }
    }
    free(padded);
}

// Portable fallback over the same packed layout (used only when AVX-512 is absent and a caller
// asks anyway; Parrot itself then uses the BLAS).
static void product_portable(int m, int n, int k, const float *x, int ldx, const float *packed,
                             float *y, int ldy, int beta) {
    for (int r = 0; r < m; r++)
        for (int j = 0; j < n; j++) {
            const float *w = packed + ((size_t)(j / 16) * k) * 16 + (j % 16);
            float sum = 0.0f;
            for (int i = 0; i < k; i++) sum += x[(size_t)r * ldx + i] * w[(size_t)i * 16];
            y[(size_t)r * ldy + j] = (beta ? y[(size_t)r * ldy + j] : 0.0f) + sum;
        }
}

void parrot_packed_product(int m, int n, int k, const float *x, int ldx, const float *packed,
                           float *y, int ldy, int beta) {
    // Checked once; threads may race to the first check, so the flag is atomic (ThreadSanitizer finding).
    static _Atomic int available = -1;
    int known = atomic_load_explicit(&available, memory_order_relaxed);
    if (known < 0) {
        known = parrot_recurrent_kernel_available();
        atomic_store_explicit(&available, known, memory_order_relaxed);
    }
    if (known) product_avx512(m, n, k, x, ldx, packed, y, ldy, beta);
    else product_portable(m, n, k, x, ldx, packed, y, ldy, beta);
}
