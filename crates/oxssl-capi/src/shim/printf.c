/*
 * BIO_printf and friends: C varargs cannot be defined in stable Rust, so this file
 * formats with the C library's vsnprintf and hands the text to BIO_write (Rust).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct bio_st BIO;
int BIO_write(BIO *b, const void *data, int dlen);

int BIO_vprintf(BIO *bio, const char *format, va_list args)
{
    char small[1024];
    va_list again;
    int n, r;
    char *big;

    va_copy(again, args);
    n = vsnprintf(small, sizeof(small), format, args);
    if (n < 0) {
        va_end(again);
        return -1;
    }
    if ((size_t)n < sizeof(small)) {
        va_end(again);
        return BIO_write(bio, small, n);
    }
    big = malloc((size_t)n + 1);
    if (big == NULL) {
        va_end(again);
        return -1;
    }
    vsnprintf(big, (size_t)n + 1, format, again);
    va_end(again);
    r = BIO_write(bio, big, n);
    free(big);
    return r;
}

int BIO_printf(BIO *bio, const char *format, ...)
{
    va_list args;
    int r;

    va_start(args, format);
    r = BIO_vprintf(bio, format, args);
    va_end(args);
    return r;
}

/* As OpenSSL's: -1 when the output does not fit. */
int BIO_vsnprintf(char *buf, size_t n, const char *format, va_list args)
{
    int r = vsnprintf(buf, n, format, args);

    if (r < 0 || (size_t)r >= n)
        return -1;
    return r;
}

int BIO_snprintf(char *buf, size_t n, const char *format, ...)
{
    va_list args;
    int r;

    va_start(args, format);
    r = BIO_vsnprintf(buf, n, format, args);
    va_end(args);
    return r;
}
