#ifndef PARROT_RECURRENT_KERNEL_H
#define PARROT_RECURRENT_KERNEL_H
#include <stddef.h>
#include <stdint.h>

/// Parrot's recurrent-product kernel: y[m×n] += x[m×k] · Wᵀ with W (n × k) packed once into
/// panels of 16 output columns, so the per-time-step product reads weights already laid out
/// for the vector unit instead of re-packing them on every call as a general GEMM must.

/// 1 when this CPU can run the AVX-512 kernel.
int parrot_recurrent_kernel_available(void);

/// Floats needed for the packed form of an n × k weight (n rounded up to 16).
size_t parrot_packed_size(int n, int k);

/// Packs W given row-major as n × k (`w[j*k + i]` is W[j][i]).
void parrot_pack_rows(const float *w, int n, int k, float *packed);

/// Packs W given row-major as its transpose, k × n (`w[i*n + j]` is W[j][i]).
void parrot_pack_columns(const float *w, int n, int k, float *packed);

/// y[r][j] (row stride ldy) = beta·y[r][j] + Σ_i x[r][i] (row stride ldx) · W[j][i], for r < m, j < n;
/// beta is 0 or 1.
void parrot_packed_product(int m, int n, int k, const float *x, int ldx, const float *packed,
                           float *y, int ldy, int beta);

/// One fused LSTM step for one utterance (ActivationKernels.lstmCell), sixteen units at a time,
/// bit for bit the same as the Swift version. Only where parrot_recurrent_kernel_available() is 1.
/// `previous` may be NULL (first step).
void parrot_lstm_cell_avx512(float *z, const float *bias, const float *previous, float mask,
                             float *cell, float *tanhCell, float *output, int h);

/// One backward LSTM step for one utterance (ActivationKernels.lstmCellBackward), sixteen units at
/// a time, bit for bit the same as the Swift version: from the activations `gates` = [i f g o],
/// tanh(c), the previous cell (NULL at the first step) and ∂loss/∂h, writes ∂loss/∂z and replaces
/// `dc` (∂loss/∂c carried from the next step) by the part carried to the previous one.
void parrot_lstm_cell_backward_avx512(const float *gates, const float *tanhCell, const float *previous, float mask,
                                      const float *dh, float *dc, float *dz, int h);

/// BF16 products with FP32 accumulation (AVX512_BF16, with AVX512F and VL). 1 when this CPU has them.
int parrot_bf16_available(void);

/// `value` rounded to BF16 (nearest, ties to even) and back to FP32.
float parrot_bf16_round(float value);

/// BF16 values needed for the packed form of an n × k weight (n rounded up to 16, k to 2).
size_t parrot_packed_bf16_size(int n, int k);

/// Packs W given row-major as n × k into BF16 pairs of input positions, 16 columns a panel.
void parrot_pack_rows_bf16(const float *w, int n, int k, uint16_t *packed);

/// Packs W given row-major as its transpose, k × n with row stride ldw ≥ n (`w[i*ldw + j]` is
/// W[j][i]), as parrot_pack_rows_bf16.
void parrot_pack_columns_bf16(const float *w, int n, int k, int ldw, uint16_t *packed);

/// As parrot_packed_product with BF16 weights: x rounded to BF16, products summed in FP32.
/// Only on a CPU where parrot_bf16_available() is 1.
void parrot_packed_product_bf16(int m, int n, int k, const float *x, int ldx, const uint16_t *packed,
                                float *y, int ldy, int beta);

/// As parrot_packed_product_bf16 with X given as its transpose, k × m (`x[i*ldx + r]` is X[r][i]):
/// for weight gradients, Σ over frames of a gradient row times an input row.
void parrot_packed_product_bf16_transposed(int m, int n, int k, const float *x, int ldx, const uint16_t *packed,
                                           float *y, int ldy, int beta);

/// The vector unit's arithmetic peak, for benchmarks: `iterations` × 16 independent 512-bit
/// multiply-adds (FP32 FMA: 32 floating-point operations each) or, with `bf16`, BF16 dot-product
/// accumulations (VDPBF16PS: 64 each), timed by the caller. Only where
/// parrot_recurrent_kernel_available() is 1 (and parrot_bf16_available() for `bf16`).
float parrot_peak_probe(long iterations, int bf16);

#endif
