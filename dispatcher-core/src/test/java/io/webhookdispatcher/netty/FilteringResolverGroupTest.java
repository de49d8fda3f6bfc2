package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Resolution only: none of these tests opens a connection to the addresses they resolve. */
class FilteringResolverGroupTest {

  private final ExecutorService lookups = Executors.newSingleThreadExecutor();

  @AfterEach
  void stopLookups() {
    lookups.shutdownNow();
  }

  @Test
  void mixed_public_and_private_answers_are_rejected() {
    FilteringResolverGroup group = denyPrivate(host -> addresses("93.184.216.34", "10.0.0.1"));

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("mixed.test"));

    assertThat(error)
        .hasMessage(
            "host mixed.test resolves to 10.0.0.1, a private address (10.0.0.0/8);"
                + " set allowPrivateAddresses(true) to deliver to it");
  }

  @Test
  void public_answers_pin_first_address() throws Exception {
    FilteringResolverGroup group = denyPrivate(host -> addresses("93.184.216.34", "8.8.8.8"));
    AddressResolver<InetSocketAddress> resolver =
        group.getResolver(ImmediateEventExecutor.INSTANCE);

    InetSocketAddress resolved =
        resolver
            .resolve(InetSocketAddress.createUnresolved("public.test", 443))
            .get(2, TimeUnit.SECONDS);

    assertThat(resolved.getAddress().getHostAddress()).isEqualTo("93.184.216.34");
    assertThat(resolved.getPort()).isEqualTo(443);
  }

  @Test
  void rejected_answer_fails_netty_promise() throws Exception {
    FilteringResolverGroup group = denyPrivate(host -> addresses("192.168.0.10"));
    AddressResolver<InetSocketAddress> resolver =
        group.getResolver(ImmediateEventExecutor.INSTANCE);

    Throwable cause =
        resolver.resolve(InetSocketAddress.createUnresolved("router.test", 80)).await().cause();

    assertThat(cause).isInstanceOf(AddressRejectedException.class);
  }

  @Test
  void name_lookup_runs_on_lookup_executor() throws Exception {
    List<String> threads = new CopyOnWriteArrayList<>();
    String caller = Thread.currentThread().getName();
    FilteringResolverGroup group =
        denyPrivate(
            host -> {
              threads.add(Thread.currentThread().getName());
              return addresses("8.8.8.8");
            });

    group
        .getResolver(ImmediateEventExecutor.INSTANCE)
        .resolve(InetSocketAddress.createUnresolved("public.test", 443))
        .get(2, TimeUnit.SECONDS);

    assertThat(threads).hasSize(1);
    assertThat(threads.get(0)).isNotEqualTo(caller);
  }

  @Test
  void literal_skips_host_resolver() throws Exception {
    List<String> lookedUp = new CopyOnWriteArrayList<>();
    FilteringResolverGroup group =
        new FilteringResolverGroup(
            host -> {
              lookedUp.add(host);
              return addresses("8.8.8.8");
            },
            AddressFilter.allowAll(),
            lookups);

    List<InetAddress> resolved = group.resolveChecked("127.0.0.1");

    assertThat(resolved).containsExactly(InetAddress.getByName("127.0.0.1"));
    assertThat(lookedUp).isEmpty();
  }

  @Test
  void failing_lookup_names_host() {
    FilteringResolverGroup group =
        denyPrivate(
            host -> {
              throw new FilteringResolverGroup.UncheckedHostLookupException(
                  new UnknownHostException("gone.test: Name or service not known"));
            });

    UnknownHostException error =
        assertThrows(UnknownHostException.class, () -> group.resolveChecked("gone.test"));

    assertThat(error)
        .hasMessage("DNS lookup of gone.test failed: gone.test: Name or service not known");
  }

  private FilteringResolverGroup denyPrivate(Function<String, InetAddress[]> hostResolver) {
    return new FilteringResolverGroup(hostResolver, AddressFilter.denyPrivate(), lookups);
  }

  private static InetAddress[] addresses(String... literals) {
    InetAddress[] addresses = new InetAddress[literals.length];
    for (int i = 0; i < literals.length; i++) {
      addresses[i] = AddressFilter.parseLiteral(literals[i]).orElseThrow();
    }
    return addresses;
  }
}
