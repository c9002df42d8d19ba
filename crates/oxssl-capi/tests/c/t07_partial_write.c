/* SSL_WRITE.md case 5: SSL_MODE_ENABLE_PARTIAL_WRITE returns after each record. */
#include "common.h"

static unsigned char data[40000];

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL_CTX_set_mode(cctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
    printf("ctx mode has partial=%d\n",
           (SSL_CTX_get_mode(cctx) & SSL_MODE_ENABLE_PARTIAL_WRITE) != 0);
    SSL *c, *s;
    make_pair(cctx, sctx, 100000, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    memset(data, 'p', sizeof(data));
    size_t off = 0;
    int calls = 0;
    while (off < sizeof(data) && calls < 10) {
        int r = SSL_write(c, data + off, (int)(sizeof(data) - off));
        printf("write(%zu)=%d\n", sizeof(data) - off, r);
        if (r <= 0) {
            report("partial", c, r);
            break;
        }
        off += (size_t)r;
        calls++;
    }
    unsigned char *buf = malloc(sizeof(data));
    size_t got = read_all(s, buf, sizeof(data));
    printf("peer got=%zu same=%d\n", got, memcmp(buf, data, got) == 0);
    free(buf);
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
