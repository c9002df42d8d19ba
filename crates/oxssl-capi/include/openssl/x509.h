/* oxssl: subset of OpenSSL 3's <openssl/x509.h>. */
#ifndef OPENSSL_X509_H
#define OPENSSL_X509_H

#include <openssl/types.h>
#include <openssl/x509_vfy.h>

#define X509_FILETYPE_PEM 1
#define X509_FILETYPE_ASN1 2
#define X509_FILETYPE_DEFAULT 3

#endif
