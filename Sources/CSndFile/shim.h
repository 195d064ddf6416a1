#ifndef LOA_CSNDFILE_SHIM_H
#define LOA_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
