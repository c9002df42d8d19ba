/* oxssl: subset of OpenSSL 3's <openssl/ssl3.h>. */
#ifndef OPENSSL_SSL3_H
#define OPENSSL_SSL3_H

#define SSL3_VERSION 0x0300
#define SSL3_RT_HEADER_LENGTH 5
#define SSL3_RT_MAX_PLAIN_LENGTH 16384
#define SSL3_RT_CHANGE_CIPHER_SPEC 20
#define SSL3_RT_ALERT 21
#define SSL3_RT_HANDSHAKE 22
#define SSL3_RT_APPLICATION_DATA 23

#endif
