/* Helpers shared by the C test programs. OpenSSL 3 API only. */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *CERT, *KEY;
/* The directory of the test PKI with a chain (fifth argument; see tests/common). */
static const char *PKI_DIR;

static void args(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s cert.pem key.pem\n", argv[0]);
        exit(2);
    }
    CERT = argv[1];
    KEY = argv[2];
    PKI_DIR = argc > 5 ? argv[5] : ".";
    setvbuf(stdout, NULL, _IONBF, 0);
    OPENSSL_init_ssl(0, NULL);
}

/* The path of a file of the test PKI: root.pem, chain.pem + leaf.key ("localhost", with
 * the intermediate), expired.pem + expired.key, other.pem + other.key ("other.example"). */
static const char *pki(const char *file)
{
    static char paths[8][1024];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof(paths[0]), "%s/%s", PKI_DIR, file);
    return p;
}

/* Prints and empties the error queue: library and reason of each entry. */
static void errs(const char *tag)
{
    unsigned long e;
    int n = 0;
    while ((e = ERR_get_error()) != 0) {
        printf("%s: queue lib=%d reason=%d\n", tag, ERR_GET_LIB(e), ERR_GET_REASON(e));
        n++;
    }
    if (n == 0)
        printf("%s: queue empty\n", tag);
}

/* Prints a call's return value and SSL_get_error, then the queue. */
static void report(const char *tag, SSL *s, int ret)
{
    printf("%s: ret=%d err=%d\n", tag, ret, SSL_get_error(s, ret));
    errs(tag);
}

static SSL_CTX *make_ctx(int server, int version)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    if (ctx == NULL) {
        printf("SSL_CTX_new failed\n");
        exit(1);
    }
    if (server) {
        if (SSL_CTX_use_certificate_chain_file(ctx, CERT) != 1
            || SSL_CTX_use_PrivateKey_file(ctx, KEY, SSL_FILETYPE_PEM) != 1
            || SSL_CTX_check_private_key(ctx) != 1) {
            printf("server certificate setup failed\n");
            errs("setup");
            exit(1);
        }
    }
    if (version != 0) {
        SSL_CTX_set_min_proto_version(ctx, version);
        SSL_CTX_set_max_proto_version(ctx, version);
    }
    return ctx;
}

/* A server context with the certificate chain and key of the given files (the test PKI). */
static SSL_CTX *make_server_ctx(int version, const char *chain, const char *key)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (version != 0) {
        SSL_CTX_set_min_proto_version(ctx, version);
        SSL_CTX_set_max_proto_version(ctx, version);
    }
    if (SSL_CTX_use_certificate_chain_file(ctx, chain) != 1
        || SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        printf("server setup failed\n");
        errs("setup");
        exit(1);
    }
    return ctx;
}

/* A client and a server connected by a BIO pair (each end uses one half as rbio and wbio). */
static void make_pair(SSL_CTX *cctx, SSL_CTX *sctx, size_t size, SSL **c, SSL **s,
                      BIO **cb, BIO **sb)
{
    BIO *b1, *b2;
    if (BIO_new_bio_pair(&b1, size, &b2, size) != 1) {
        printf("BIO_new_bio_pair failed\n");
        exit(1);
    }
    *c = SSL_new(cctx);
    *s = SSL_new(sctx);
    SSL_set_bio(*c, b1, b1);
    SSL_set_bio(*s, b2, b2);
    SSL_set_connect_state(*c);
    SSL_set_accept_state(*s);
    if (cb)
        *cb = b1;
    if (sb)
        *sb = b2;
}

/* Runs both handshakes to completion over a pair; prints the outcome. */
static int handshake(SSL *c, SSL *s)
{
    int rc = -1, rs = -1, i;
    for (i = 0; i < 100 && (rc != 1 || rs != 1); i++) {
        if (rc != 1) {
            rc = SSL_do_handshake(c);
            if (rc != 1 && SSL_get_error(c, rc) != SSL_ERROR_WANT_READ
                && SSL_get_error(c, rc) != SSL_ERROR_WANT_WRITE) {
                report("client handshake", c, rc);
                return 0;
            }
        }
        if (rs != 1) {
            rs = SSL_do_handshake(s);
            if (rs != 1 && SSL_get_error(s, rs) != SSL_ERROR_WANT_READ
                && SSL_get_error(s, rs) != SSL_ERROR_WANT_WRITE) {
                report("server handshake", s, rs);
                return 0;
            }
        }
    }
    printf("handshake: client=%d server=%d version=%s/%s\n", rc, rs, SSL_get_version(c),
           SSL_get_version(s));
    return rc == 1 && rs == 1;
}

/* Reads exactly n bytes (or until an error) from s into buf, pumping nothing else. */
static size_t read_all(SSL *s, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        int r = SSL_read(s, buf + got, (int)(n - got > 16384 ? 16384 : n - got));
        if (r <= 0) {
            report("read_all", s, r);
            break;
        }
        got += (size_t)r;
    }
    return got;
}
