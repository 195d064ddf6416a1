#ifndef LOA_CALSA_SHIM_H
#define LOA_CALSA_SHIM_H
#include <alsa/asoundlib.h>

// ALSA prints its own diagnostics to stderr (e.g. "Unknown PCM hw:9") before
// returning the error code. loa reports every failure itself, naming the call
// and the device, so that text would only say the same thing twice in a
// different voice. Swift cannot define a variadic C function, hence the shim.
static void loa_alsa_ignore_error(const char *file, int line, const char *function, int err,
                                  const char *fmt, ...) {
  (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static inline void loa_alsa_silence_errors(void) {
  snd_lib_error_set_handler(loa_alsa_ignore_error);
}
#endif
