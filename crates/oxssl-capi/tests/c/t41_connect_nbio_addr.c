/* Address helpers and the non-blocking connect BIO: BIO_lookup_ex of a numeric address,
 * the BIO_ADDRINFO accessors, BIO_socket + BIO_connect to a listening accept BIO,
 * BIO_closesocket; a connect BIO with BIO_set_nbio(1) retried until connected; and
 * connection refused, from BIO_connect and from BIO_do_connect (the queued errors). */
#include "common.h"
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <poll.h>

int main(int argc, char **argv)
{
    args(argc, argv);
    printf("sock_init=%d\n", BIO_sock_init());
    BIO_ADDRINFO *res = NULL;
    int r = BIO_lookup_ex("127.0.0.1", "443", BIO_LOOKUP_CLIENT, AF_INET, SOCK_STREAM, 0, &res);
    printf("lookup=%d family=%d socktype=%d protocol=%d next=%p\n", r, BIO_ADDRINFO_family(res),
           BIO_ADDRINFO_socktype(res), BIO_ADDRINFO_protocol(res),
           (const void *)BIO_ADDRINFO_next(res));
    const BIO_ADDR *a = BIO_ADDRINFO_address(res);
    char *h = BIO_ADDR_hostname_string(a, 1), *s = BIO_ADDR_service_string(a, 1);
    printf("addr family=%d host=%s service=%s rawport=%d\n", BIO_ADDR_family(a), h, s,
           ntohs(BIO_ADDR_rawport(a)));
    OPENSSL_free(h);
    OPENSSL_free(s);
    BIO_ADDRINFO_free(res);

    BIO *nb = BIO_new_accept("127.0.0.1:0");
    long set = BIO_set_nbio_accept(nb, 1);
    printf("nbio_accept=%ld listen=%ld\n", set, BIO_do_accept(nb));
    long none = BIO_do_accept(nb);
    printf("accept with nobody waiting=%ld retry=%d special=%d\n", none, BIO_should_retry(nb),
           BIO_should_io_special(nb));
    errs("nbio accept");
    BIO_free_all(nb);

    BIO *acc = BIO_new_accept("127.0.0.1:0");
    printf("listen=%ld\n", BIO_do_accept(acc));
    const char *port = BIO_get_accept_port(acc);
    res = NULL;
    BIO_lookup_ex("127.0.0.1", port, BIO_LOOKUP_CLIENT, AF_INET, SOCK_STREAM, 0, &res);
    int sock = BIO_socket(BIO_ADDRINFO_family(res), SOCK_STREAM, 0, 0);
    printf("socket ok=%d connect=%d\n", sock >= 0,
           BIO_connect(sock, BIO_ADDRINFO_address(res), BIO_SOCK_NODELAY));
    BIO_ADDRINFO_free(res);
    printf("accepted=%ld\n", BIO_do_accept(acc));
    BIO *conn = BIO_pop(acc);
    printf("write=%d\n", (int)write(sock, "ping", 4));
    char buf[16] = {0};
    printf("read via accepted BIO=%d [%s]\n", BIO_read(conn, buf, 4), buf);
    printf("closesocket=%d\n", BIO_closesocket(sock));
    BIO_free(conn);

    BIO *c = BIO_new(BIO_s_connect());
    BIO_set_conn_hostname(c, "127.0.0.1");
    BIO_set_conn_port(c, port);
    printf("set_nbio=%ld\n", BIO_set_nbio(c, 1));
    long rc;
    int i;
    for (i = 0; i < 1000; i++) {
        rc = BIO_do_connect(c);
        if (rc > 0 || !BIO_should_retry(c))
            break;
        struct pollfd p = { (int)BIO_get_fd(c, NULL), POLLOUT, 0 };
        poll(&p, 1, 100);
    }
    printf("nbio connect=%ld special=%d\n", rc, BIO_should_io_special(c));
    printf("accepted=%ld\n", BIO_do_accept(acc));
    BIO *conn2 = BIO_pop(acc);
    printf("write through connect BIO=%d\n", BIO_write(c, "pong", 4));
    printf("read=%d [%.4s]\n", BIO_read(conn2, buf, 4), buf);
    BIO_free(conn2);
    BIO_free_all(c);
    errs("connected");

    /* A port nobody listens on: the accept BIO's, once it is freed. */
    char closed[16];
    snprintf(closed, sizeof(closed), "%s", port);
    BIO_free_all(acc);
    sock = BIO_socket(AF_INET, SOCK_STREAM, 0, 0);
    res = NULL;
    BIO_lookup_ex("127.0.0.1", closed, BIO_LOOKUP_CLIENT, AF_INET, SOCK_STREAM, 0, &res);
    printf("refused connect=%d\n", BIO_connect(sock, BIO_ADDRINFO_address(res), 0));
    errs("refused BIO_connect");
    BIO_closesocket(sock);
    BIO_ADDRINFO_free(res);
    c = BIO_new_connect("127.0.0.1");
    BIO_set_conn_port(c, closed);
    printf("refused do_connect=%ld retry=%d\n", BIO_do_connect(c), BIO_should_retry(c));
    errs("refused do_connect");
    BIO_free_all(c);
    return 0;
}
