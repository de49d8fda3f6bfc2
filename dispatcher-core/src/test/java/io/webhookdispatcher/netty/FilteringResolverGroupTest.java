package io.webhookdispatcher.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Resolution only: none of these tests opens a connection to the addresses they resolve. */
class FilteringResolverGroupTest {

  private static final Duration CACHE_TTL = Duration.ofSeconds(30);
  private static final int CACHE_MAX_HOSTS = 3;

  private final ExecutorService lookups = Executors.newSingleThreadExecutor();
  private final AtomicLong now = new AtomicLong(123_456_789L);

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
                + " add its range to allowedRanges or set allowPrivateAddresses(true) to deliver"
                + " to it");
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

  @Test
  void literal_in_other_form_names_address() {
    FilteringResolverGroup group = denyPrivate(host -> addresses("8.8.8.8"));

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("0x7f.1"));

    assertThat(error)
        .hasMessageStartingWith(
            "host 0x7f.1 (read as 127.0.0.1) is a loopback address (127.0.0.0/8);");
  }

  @Test
  void allowed_range_passes_resolved_address() throws UnknownHostException {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));
    FilteringResolverGroup group =
        new FilteringResolverGroup(host -> addresses("10.20.0.5", "8.8.8.8"), filter, lookups);

    List<InetAddress> resolved = group.resolveChecked("internal.test");

    assertThat(resolved).containsExactly(addresses("10.20.0.5", "8.8.8.8"));
  }

  @Test
  void allowed_range_keeps_others_rejected() {
    AddressFilter filter = AddressFilter.denyPrivateExcept(List.of("10.20.0.0/16"));
    FilteringResolverGroup group =
        new FilteringResolverGroup(host -> addresses("10.20.0.5", "10.21.0.5"), filter, lookups);

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("internal.test"));

    assertThat(error).hasMessageStartingWith("host internal.test resolves to 10.21.0.5, ");
  }

  @Test
  void answer_is_reused_within_cache_ttl() throws UnknownHostException {
    AtomicInteger lookUps = new AtomicInteger();
    FilteringResolverGroup group =
        cached(
            host -> {
              lookUps.incrementAndGet();
              return addresses("8.8.8.8", "1.1.1.1");
            });

    group.resolveChecked("busy.test");
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    List<InetAddress> resolved = group.resolveChecked("busy.test");

    assertThat(resolved).containsExactly(addresses("8.8.8.8", "1.1.1.1"));
    assertThat(lookUps).hasValue(1);
  }

  @Test
  void changed_answer_is_used_after_cache_ttl() throws UnknownHostException {
    AtomicReference<InetAddress[]> answer = new AtomicReference<>(addresses("8.8.8.8"));
    AtomicInteger lookUps = new AtomicInteger();
    FilteringResolverGroup group =
        cached(
            host -> {
              lookUps.incrementAndGet();
              return answer.get();
            });
    group.resolveChecked("moving.test");
    answer.set(addresses("1.1.1.1"));

    List<InetAddress> beforeTtl = group.resolveChecked("moving.test");
    now.addAndGet(CACHE_TTL.toNanos());
    List<InetAddress> afterTtl = group.resolveChecked("moving.test");

    assertThat(beforeTtl).containsExactly(addresses("8.8.8.8"));
    assertThat(afterTtl).containsExactly(addresses("1.1.1.1"));
    assertThat(lookUps).hasValue(2);
  }

  @Test
  void private_answer_rejected_after_ttl() throws UnknownHostException {
    AtomicReference<InetAddress[]> answer = new AtomicReference<>(addresses("8.8.8.8"));
    FilteringResolverGroup group = cached(host -> answer.get());
    group.resolveChecked("rebind.test");
    answer.set(addresses("8.8.8.8", "169.254.169.254"));
    now.addAndGet(CACHE_TTL.toNanos());

    AddressRejectedException error =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("rebind.test"));

    assertThat(error).hasMessageContaining("169.254.169.254, a link-local address");
  }

  @Test
  void cached_answer_checks_every_address() {
    AtomicInteger lookUps = new AtomicInteger();
    FilteringResolverGroup group =
        cached(
            host -> {
              lookUps.incrementAndGet();
              return addresses("8.8.8.8", "1.1.1.1", "127.0.0.1");
            });

    assertThrows(AddressRejectedException.class, () -> group.resolveChecked("mixed.test"));
    AddressRejectedException cachedError =
        assertThrows(AddressRejectedException.class, () -> group.resolveChecked("mixed.test"));

    assertThat(cachedError).hasMessageContaining("resolves to 127.0.0.1, a loopback address");
    assertThat(lookUps).hasValue(1);
  }

  @Test
  void failed_lookup_is_not_cached() throws UnknownHostException {
    AtomicInteger lookUps = new AtomicInteger();
    FilteringResolverGroup group =
        cached(
            host -> {
              if (lookUps.incrementAndGet() == 1) {
                throw new FilteringResolverGroup.UncheckedHostLookupException(
                    new UnknownHostException("flaky.test: Temporary failure in name resolution"));
              }
              return addresses("8.8.8.8");
            });

    assertThrows(UnknownHostException.class, () -> group.resolveChecked("flaky.test"));
    List<InetAddress> resolved = group.resolveChecked("flaky.test");

    assertThat(resolved).containsExactly(addresses("8.8.8.8"));
    assertThat(lookUps).hasValue(2);
  }

  @Test
  void full_cache_drops_least_recent_host() throws UnknownHostException {
    List<String> lookedUp = new CopyOnWriteArrayList<>();
    FilteringResolverGroup group =
        cached(
            host -> {
              lookedUp.add(host);
              return addresses("8.8.8.8");
            });

    for (String host : List.of("a.test", "b.test", "c.test", "a.test", "d.test")) {
      group.resolveChecked(host);
    }
    group.resolveChecked("a.test");
    group.resolveChecked("b.test");

    assertThat(lookedUp).containsExactly("a.test", "b.test", "c.test", "d.test", "b.test");
    assertThat(group.cachedHosts()).isEqualTo(CACHE_MAX_HOSTS);
  }

  @Test
  void cached_answer_skips_lookup_executor() throws Exception {
    AtomicInteger executions = new AtomicInteger();
    Executor countingExecutor =
        task -> {
          executions.incrementAndGet();
          lookups.execute(task);
        };
    FilteringResolverGroup group =
        new FilteringResolverGroup(
            host -> addresses("8.8.8.8"),
            AddressFilter.denyPrivate(),
            countingExecutor,
            now::get,
            CACHE_TTL,
            CACHE_MAX_HOSTS);
    AddressResolver<InetSocketAddress> resolver =
        group.getResolver(ImmediateEventExecutor.INSTANCE);
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("busy.test", 443);

    resolver.resolve(unresolved).get(2, TimeUnit.SECONDS);
    InetSocketAddress second = resolver.resolve(unresolved).get(2, TimeUnit.SECONDS);

    assertThat(second.getAddress()).isEqualTo(addresses("8.8.8.8")[0]);
    assertThat(executions).hasValue(1);
  }

  @Test
  void default_cache_keeps_answer() throws UnknownHostException {
    AtomicInteger lookUps = new AtomicInteger();
    FilteringResolverGroup group =
        denyPrivate(
            host -> {
              lookUps.incrementAndGet();
              return addresses("8.8.8.8");
            });

    group.resolveChecked("busy.test");
    group.resolveChecked("busy.test");

    assertThat(lookUps).hasValue(1);
  }

  /**
   * Returns a group whose cache keeps answers for {@link #CACHE_TTL} as measured by {@link #now}.
   */
  private FilteringResolverGroup cached(Function<String, InetAddress[]> hostResolver) {
    return new FilteringResolverGroup(
        hostResolver, AddressFilter.denyPrivate(), lookups, now::get, CACHE_TTL, CACHE_MAX_HOSTS);
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
