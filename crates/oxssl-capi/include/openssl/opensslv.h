/* oxssl: OpenSSL 3 compatible version macros. oxssl follows OpenSSL 3.6's API. */
#ifndef OPENSSL_OPENSSLV_H
#define OPENSSL_OPENSSLV_H

#define OXSSL_VERSION_TEXT "oxssl 0.1.0"
#define OPENSSL_VERSION_MAJOR 3
#define OPENSSL_VERSION_MINOR 6
#define OPENSSL_VERSION_PATCH 0
#define OPENSSL_VERSION_PRE_RELEASE ""
#define OPENSSL_VERSION_BUILD_METADATA "+oxssl"
#define OPENSSL_VERSION_STR "3.6.0"
#define OPENSSL_FULL_VERSION_STR "3.6.0+oxssl"
#define OPENSSL_VERSION_TEXT "oxssl 0.1.0 (OpenSSL 3.6 API)"
#define OPENSSL_VERSION_NUMBER 0x30600000L
#define OPENSSL_VERSION_PREREQ(maj, min) \
    ((OPENSSL_VERSION_MAJOR << 16) + OPENSSL_VERSION_MINOR >= ((maj) << 16) + (min))

#endif
