/* oxssl: subset of <openssl/pem.h>: reading certificates and unencrypted keys. */
#ifndef OPENSSL_PEM_H
#define OPENSSL_PEM_H
#include <stdio.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/evp.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PEM_R_BAD_BASE64_DECODE 100
#define PEM_R_BAD_DECRYPT 101
#define PEM_R_BAD_END_LINE 102
#define PEM_R_NO_START_LINE 108

typedef int pem_password_cb(char *buf, int size, int rwflag, void *userdata);

X509 *PEM_read_bio_X509(BIO *out, X509 **x, pem_password_cb *cb, void *u);
X509 *PEM_read_bio_X509_AUX(BIO *out, X509 **x, pem_password_cb *cb, void *u);
X509 *PEM_read_X509(FILE *out, X509 **x, pem_password_cb *cb, void *u);
X509 *PEM_read_X509_AUX(FILE *out, X509 **x, pem_password_cb *cb, void *u);
EVP_PKEY *PEM_read_bio_PrivateKey(BIO *out, EVP_PKEY **x, pem_password_cb *cb, void *u);
EVP_PKEY *PEM_read_PrivateKey(FILE *out, EVP_PKEY **x, pem_password_cb *cb, void *u);

#ifdef __cplusplus
}
#endif
#endif
