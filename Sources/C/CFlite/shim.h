#include <flite/flite.h>

/* The two voices the built-in corpus uses. Debian's flite1-dev installs their libraries but no
   header for them; these are their registration functions as libflite_cmu_us_awb and
   libflite_cmu_us_rms export them. */
cst_voice *register_cmu_us_awb(const char *voxdir);
void unregister_cmu_us_awb(cst_voice *voice);
cst_voice *register_cmu_us_rms(const char *voxdir);
void unregister_cmu_us_rms(cst_voice *voice);
