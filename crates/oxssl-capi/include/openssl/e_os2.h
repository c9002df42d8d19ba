/* oxssl: the portability macros of OpenSSL 3's <openssl/e_os2.h> that the headers use. */
#ifndef OPENSSL_E_OS2_H
#define OPENSSL_E_OS2_H

#include <stdint.h>

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define ossl_inline inline
#elif defined(__GNUC__) && __GNUC__ >= 2
#define ossl_inline __inline__
#else
#define ossl_inline
#endif

#if defined(__GNUC__)
#define ossl_unused __attribute__((unused))
#else
#define ossl_unused
#endif

#endif
