// The declarations are in include/libfuzzer_driver.h; the definition comes from libFuzzer
// (linked by -sanitize=fuzzer).
#include "libfuzzer_driver.h"
