/*
 * A blocking TLS client written the way an OpenSSL 3 user writes it: it verifies the
 * server's certificate and host name, sends one line and prints what comes back.
 *
 *   ./client HOST PORT [CAFILE]     (without CAFILE: the system's trust anchors)
 */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int tcp_connect(const char *host, const char *port)
{
    struct addrinfo hints, *res, *ai;
    int fd = -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [CAFILE]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL)
        goto err;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (argc > 3 ? SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1
                 : SSL_CTX_set_default_verify_paths(ctx) != 1)
        goto err;

    int fd = tcp_connect(host, argv[2]);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s port %s\n", host, argv[2]);
        return 1;
    }
    SSL *ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, host);
    SSL_set1_host(ssl, host);
    if (SSL_connect(ssl) != 1) {
        fprintf(stderr, "handshake failed, verify result %ld\n", SSL_get_verify_result(ssl));
        goto err;
    }
    printf("connected: %s %s\n", SSL_get_version(ssl),
           SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)));

    const char *line = "hello from the C client\n";
    if (SSL_write(ssl, line, (int)strlen(line)) <= 0)
        goto err;
    char buf[4096];
    for (;;) {
        int n = SSL_read(ssl, buf, sizeof(buf));
        if (n > 0) {
            fwrite(buf, 1, (size_t)n, stdout);
            if (memchr(buf, '\n', (size_t)n) != NULL)
                break;
            continue;
        }
        int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_ZERO_RETURN)
            break;
        goto err;
    }
    SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    SSL_CTX_free(ctx);
    return 0;
err:
    ERR_print_errors_fp(stderr);
    return 1;
}
