/* SSL_WRITE.md case 4: a retry from another buffer address is fatal BAD_WRITE_RETRY (127)
 * and every later call is -1 / SYSCALL with an empty queue; with
 * SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER the moved retry is accepted. */
#include "common.h"

static unsigned char a[40000], b[40000];

static size_t drain(SSL *s)
{
    unsigned char buf[16384];
    size_t total = 0;
    int r;
    while ((r = SSL_read(s, buf, sizeof(buf))) > 0)
        total += (size_t)r;
    return total;
}

static void run(int version, int moving)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    make_pair(cctx, sctx, 17408, &c, &s, NULL, NULL);
    if (moving)
        printf("moving mode set=%d\n",
               (SSL_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) & SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) != 0);
    if (!handshake(c, s))
        exit(1);
    memset(a, 'a', sizeof(a));
    memcpy(b, a, sizeof(b));
    int r = SSL_write(c, a, sizeof(a));
    report("write a", c, r);
    size_t got = drain(s);
    ERR_clear_error();
    r = SSL_write(c, b, sizeof(b));
    report("retry from b", c, r);
    int i;
    for (i = 0; i < 4 && r < 0 && moving; i++) {
        got += drain(s);
        ERR_clear_error();
        r = SSL_write(c, b, sizeof(b));
        report("retry again", c, r);
    }
    if (!moving) {
        r = SSL_write(c, a, sizeof(a));
        report("write after fatal", c, r);
        char buf[10];
        r = SSL_read(c, buf, sizeof(buf));
        report("read after fatal", c, r);
    }
    got += drain(s);
    ERR_clear_error();
    printf("peer got=%zu\n", got);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0);
    run(TLS1_3_VERSION, 1);
    run(TLS1_2_VERSION, 0);
    run(TLS1_2_VERSION, 1);
    return 0;
}
