#ifndef PARROT_TILE_STORE_H
#define PARROT_TILE_STORE_H
#include <immintrin.h>
#include <stddef.h>

// Shared by the packed FP32 and BF16 products: writes a tile of accumulators (rows × up to three
// panels of 16 columns, starting at panel p0 and row r0) into y, masking the columns past n and
// adding what y held when beta is 1.
__attribute__((target("avx512f")))
static inline void parrot_store_tile(__m512 acc[][3], int rows, int tilePanels, int p0, int r0, int n,
                                     float *y, int ldy, int beta) {
    for (int a = 0; a < rows; a++)
        for (int b = 0; b < tilePanels; b++) {
            const int column = 16 * (p0 + b);
            const int valid = n - column < 16 ? n - column : 16;
            const __mmask16 mask = (__mmask16)((1u << valid) - 1u);
            float *out = y + (size_t)(r0 + a) * ldy + column;
            __m512 value = acc[a][b];
            if (beta) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(mask, out));
            _mm512_mask_storeu_ps(out, mask, value);
        }
}

#endif
