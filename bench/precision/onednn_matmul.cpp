// oneDNN's matmul for the BiLSTM's shapes, FP32 and BF16 (BF16 inputs, FP32 output), weights
// reordered once into the layout oneDNN picks; best of 20 runs on one thread. Prints the shape,
// then GFLOP/s for f32 and bf16. Built and run by bench/precision/run.sh.
#include <oneapi/dnnl/dnnl.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

using namespace dnnl;

static double run(engine &eng, stream &s, memory::dim m, memory::dim n, memory::dim k, memory::data_type type) {
    std::mt19937 random(1);
    std::uniform_real_distribution<float> uniform(-1, 1);
    std::vector<float> x(m * k), w(k * n), y(m * n);
    for (auto &v : x) v = uniform(random);
    for (auto &v : w) v = uniform(random) * 0.1f;
    memory::desc xf({m, k}, memory::data_type::f32, memory::format_tag::ab);
    memory::desc wf({k, n}, memory::data_type::f32, memory::format_tag::ab);
    memory::desc xd({m, k}, type, memory::format_tag::ab);
    memory::desc wd({k, n}, type, memory::format_tag::any);
    memory::desc yd({m, n}, memory::data_type::f32, memory::format_tag::ab);
    matmul::primitive_desc pd(matmul::desc(xd, wd, yd), eng);
    memory xs(xf, eng, x.data()), ws(wf, eng, w.data()), ym(yd, eng, y.data());
    memory xm(pd.src_desc(), eng), wm(pd.weights_desc(), eng);
    reorder(ws, wm).execute(s, ws, wm);   // once, as a model's weights would be
    reorder to_input(xs, xm);
    matmul product(pd);
    double best = 1e30;
    for (int i = 0; i < 21; i++) {
        auto start = std::chrono::steady_clock::now();
        to_input.execute(s, xs, xm);      // the activations arrive in FP32 every time
        product.execute(s, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
        s.wait();
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (i > 0) best = std::min(best, seconds);
    }
    return 2.0 * m * n * k / best / 1e9;
}

int main() {
    engine eng(engine::kind::cpu, 0);
    stream s(eng);
    struct Shape { memory::dim m, n, k; const char *name; } shapes[] = {
        {16, 1024, 256, "recurrent 16×256→1024"}, {6400, 1024, 40, "input 6400×40→1024"}, {6400, 1024, 512, "input 6400×512→1024"}};
    for (auto &shape : shapes) {
        double f32 = run(eng, s, shape.m, shape.n, shape.k, memory::data_type::f32);
        double bf16 = run(eng, s, shape.m, shape.n, shape.k, memory::data_type::bf16);
        std::printf("%s\t%.0f\t%.0f\n", shape.name, f32, bf16);
    }
}
