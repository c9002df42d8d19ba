/* oxssl: <openssl/pem.h> subset: the types only in this phase. */
#ifndef OPENSSL_PEM_H
#define OPENSSL_PEM_H
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#endif
