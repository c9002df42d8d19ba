/* SSL_WRITE.md case 3: SSL_write(40000) through a 17408-byte BIO pair, no partial mode:
 * WANT_WRITE, drain, retry with the same buffer, until 40000; the peer reads 40000. */
#include "common.h"

static unsigned char data[40000];

static size_t drain(SSL *s)
{
    unsigned char buf[16384];
    size_t total = 0;
    for (;;) {
        int r = SSL_read(s, buf, sizeof(buf));
        if (r <= 0) {
            int e = SSL_get_error(s, r);
            if (e != SSL_ERROR_WANT_READ)
                report("drain", s, r);
            break;
        }
        total += (size_t)r;
    }
    return total;
}

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    BIO *cb, *sb;
    make_pair(cctx, sctx, 17408, &c, &s, &cb, &sb);
    if (!handshake(c, s))
        exit(1);
    size_t i, received = 0;
    for (i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 7);
    int r = SSL_write(c, data, sizeof(data));
    printf("write: ret=%d err=%d peer pending=%zu write guarantee=%zu\n", r,
           SSL_get_error(c, r), BIO_ctrl_pending(sb), BIO_ctrl_get_write_guarantee(cb));
    errs("write");
    for (i = 0; i < 10 && r < 0; i++) {
        received += drain(s);
        r = SSL_write(c, data, sizeof(data));
        printf("retry %zu: ret=%d err=%d\n", i + 1, r, SSL_get_error(c, r));
        errs("retry");
    }
    received += drain(s);
    printf("peer received=%zu\n", received);
    /* A failed SSL_write_ex leaves *written untouched. */
    size_t w = 4242;
    r = SSL_write_ex(c, data, sizeof(data), &w);
    printf("write_ex: ret=%d err=%d written=%zu\n", r, SSL_get_error(c, r), w);
    errs("write_ex");
    received = drain(s);
    w = 4242;
    r = SSL_write_ex(c, data, sizeof(data), &w);
    printf("write_ex retry: ret=%d err=%d written=%zu\n", r, SSL_get_error(c, r), w);
    errs("write_ex retry");
    for (i = 0; i < 10 && r == 0; i++) {
        received += drain(s);
        r = SSL_write_ex(c, data, sizeof(data), &w);
    }
    received += drain(s);
    printf("write_ex final=%d written=%zu peer received=%zu\n", r, w, received);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    return 0;
}
