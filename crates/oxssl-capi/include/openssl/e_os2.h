#ifndef OPENSSL_E_OS2_H
#define OPENSSL_E_OS2_H
#include <stdint.h>
#endif
