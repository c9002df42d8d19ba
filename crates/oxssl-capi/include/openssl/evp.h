/* oxssl: <openssl/evp.h> names only the key type (EVP_PKEY) in this phase. */
#ifndef OPENSSL_EVP_H
#define OPENSSL_EVP_H
#include <openssl/types.h>
#endif
