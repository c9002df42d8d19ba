/* Calls while a write is pending (SSL_WRITE.md section 4): SSL_key_update gives 0 / 127
 * (not fatal), SSL_shutdown gives -1 / WANT_WRITE, a shorter retry is fatal 271. */
#include "common.h"

static unsigned char data[40000];

static size_t drain(SSL *s)
{
    unsigned char buf[16384];
    size_t total = 0;
    int r;
    while ((r = SSL_read(s, buf, sizeof(buf))) > 0)
        total += (size_t)r;
    return total;
}

static void run(int version, int shorter)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    make_pair(cctx, sctx, 17408, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    memset(data, 'k', sizeof(data));
    int r = SSL_write(c, data, sizeof(data));
    report("write", c, r);
    if (shorter) {
        r = SSL_write(c, data, 100);
        report("shorter retry", c, r);
        r = SSL_write(c, data, sizeof(data));
        report("after", c, r);
    } else {
        r = SSL_key_update(c, SSL_KEY_UPDATE_NOT_REQUESTED);
        printf("key_update=%d\n", r);
        errs("key_update");
        r = SSL_shutdown(c);
        report("shutdown", c, r);
        size_t got = drain(s);
        ERR_clear_error();
        r = SSL_write(c, data, sizeof(data));
        report("write retry after shutdown", c, r);
        got += drain(s);
        ERR_clear_error();
        printf("peer got=%zu\n", got);
        r = SSL_shutdown(c);
        report("shutdown after", c, r);
        printf("get_shutdown=%d\n", SSL_get_shutdown(c));
    }
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0);
    run(TLS1_2_VERSION, 0);
    run(TLS1_3_VERSION, 1);
    run(TLS1_2_VERSION, 1);
    return 0;
}
