#ifndef MOAT_CCRYPT_SHIM_H
#define MOAT_CCRYPT_SHIM_H

/* libxcrypt (Debian libcrypt-dev): crypt_r and crypt_gensalt_rn, both reentrant. */
#include <crypt.h>

#endif
