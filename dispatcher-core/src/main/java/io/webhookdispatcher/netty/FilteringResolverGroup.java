package io.webhookdispatcher.netty;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Resolves host names for the transport's {@code Bootstrap} and checks every resolved address with
 * an {@link AddressFilter}.
 *
 * <p>The resolution fails when any address of the host is rejected, even if others are allowed,
 * because a mix of public and private answers is the usual DNS-rebinding trick. On success the
 * channel connects to the first checked address, so no second lookup can swap it. Lookups of names
 * run on {@code lookupExecutor}, never on an event loop; IP literals are parsed without a lookup.
 *
 * <p>The answer of each lookup is cached for a fixed time ({@link NettyTransport#DNS_CACHE_TTL} by
 * default), whatever the TTL of the DNS records, for at most a fixed number of host names. Every
 * address of a cached answer is checked again each time it is used, and a rejected answer is cached
 * too, so a host that resolves to a private address is not looked up on every attempt. Failed
 * lookups are not cached. The JVM's own DNS cache ({@code networkaddress.cache.ttl}) applies
 * beneath the default host resolver.
 */
final class FilteringResolverGroup extends AddressResolverGroup<InetSocketAddress> {

  private final Function<String, InetAddress[]> hostResolver;
  private final AddressFilter filter;
  private final Executor lookupExecutor;
  private final AnswerCache answers;

  /** Creates a group with the default cache time and size, timed by {@link System#nanoTime()}. */
  FilteringResolverGroup(
      Function<String, InetAddress[]> hostResolver, AddressFilter filter, Executor lookupExecutor) {
    this(
        hostResolver,
        filter,
        lookupExecutor,
        System::nanoTime,
        NettyTransport.DNS_CACHE_TTL,
        NettyTransport.DNS_CACHE_MAX_HOSTS);
  }

  /**
   * Creates a group whose cache keeps each answer for {@code cacheTtl}, measured with {@code
   * nanoTicker}, for at most {@code cacheMaxHosts} host names.
   */
  FilteringResolverGroup(
      Function<String, InetAddress[]> hostResolver,
      AddressFilter filter,
      Executor lookupExecutor,
      LongSupplier nanoTicker,
      Duration cacheTtl,
      int cacheMaxHosts) {
    this.hostResolver = hostResolver;
    this.filter = filter;
    this.lookupExecutor = lookupExecutor;
    this.answers = new AnswerCache(nanoTicker, cacheTtl, cacheMaxHosts);
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
    return new FilteringNameResolver(executor).asAddressResolver();
  }

  /**
   * Returns every address of {@code host}, after checking each one with the filter. A name is
   * looked up with the host resolver unless its answer is cached.
   *
   * @throws UnknownHostException when the lookup fails or finds nothing
   * @throws AddressRejectedException when the filter rejects any of the addresses
   */
  List<InetAddress> resolveChecked(String host) throws UnknownHostException {
    Optional<List<InetAddress>> known = resolveWithoutLookup(host);
    if (known.isPresent()) {
      return known.get();
    }
    InetAddress[] addresses = lookUp(host);
    answers.put(host, addresses);
    return checkAll(host, addresses);
  }

  /**
   * Returns the checked addresses of {@code host} when no lookup is needed, because it is an IP
   * literal or its answer is cached. Returns empty when a lookup is needed.
   *
   * @throws AddressRejectedException when the filter rejects any of the addresses
   */
  private Optional<List<InetAddress>> resolveWithoutLookup(String host)
      throws AddressRejectedException {
    Optional<InetAddress> literal = AddressFilter.parseLiteral(host);
    if (literal.isPresent()) {
      check(host, literal.get(), true);
      return Optional.of(List.of(literal.get()));
    }
    InetAddress[] cached = answers.get(host);
    return cached == null ? Optional.empty() : Optional.of(checkAll(host, cached));
  }

  private List<InetAddress> checkAll(String host, InetAddress[] addresses)
      throws AddressRejectedException {
    for (InetAddress address : addresses) {
      check(host, address, false);
    }
    return List.of(addresses);
  }

  /** Returns the number of host names whose answer is cached, expired ones included. */
  int cachedHosts() {
    return answers.size();
  }

  private InetAddress[] lookUp(String host) throws UnknownHostException {
    InetAddress[] addresses;
    try {
      addresses = hostResolver.apply(host);
    } catch (UncheckedHostLookupException e) {
      UnknownHostException failure =
          new UnknownHostException(
              "DNS lookup of " + host + " failed: " + e.getCause().getMessage());
      failure.initCause(e.getCause());
      throw failure;
    } catch (RuntimeException e) {
      UnknownHostException failure =
          new UnknownHostException("DNS lookup of " + host + " failed: " + e);
      failure.initCause(e);
      throw failure;
    }
    if (addresses == null || addresses.length == 0) {
      throw new UnknownHostException("DNS lookup of " + host + " returned no address");
    }
    return addresses;
  }

  private void check(String host, InetAddress address, boolean literal)
      throws AddressRejectedException {
    Optional<String> reason = filter.rejectionReason(address);
    if (reason.isEmpty()) {
      return;
    }
    String ip = address.getHostAddress();
    String subject;
    if (!literal) {
      subject = "host " + host + " resolves to " + ip + ", ";
    } else if (host.indexOf(':') < 0 && !AddressFilter.isDottedDecimal(host)) {
      subject = "host " + host + " (read as " + ip + ") is ";
    } else {
      subject = "host " + ip + " is ";
    }
    throw new AddressRejectedException(
        subject
            + reason.get()
            + "; add its range to allowedRanges or set allowPrivateAddresses(true) to deliver to"
            + " it");
  }

  /** Default host resolver: the JVM's resolver, with its checked exception wrapped. */
  static InetAddress[] systemLookup(String host) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new UncheckedHostLookupException(e);
    }
  }

  /** Carries an {@link UnknownHostException} out of a {@link Function}. */
  static final class UncheckedHostLookupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UncheckedHostLookupException(UnknownHostException cause) {
      super(cause);
    }

    @Override
    public synchronized UnknownHostException getCause() {
      return (UnknownHostException) super.getCause();
    }
  }

  /** Runs {@link #resolveChecked} on the lookup executor and completes Netty's promise. */
  private final class FilteringNameResolver extends InetNameResolver {

    FilteringNameResolver(EventExecutor executor) {
      super(executor);
    }

    @Override
    protected void doResolve(String host, Promise<InetAddress> promise) {
      resolveAsync(host, addresses -> promise.trySuccess(addresses.get(0)), promise);
    }

    @Override
    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
      resolveAsync(host, promise::trySuccess, promise);
    }

    private void resolveAsync(
        String host, Consumer<List<InetAddress>> onSuccess, Promise<?> promise) {
      Optional<List<InetAddress>> known;
      try {
        known = resolveWithoutLookup(host);
      } catch (UnknownHostException | RuntimeException e) {
        promise.tryFailure(e);
        return;
      }
      if (known.isPresent()) {
        onSuccess.accept(known.get());
        return;
      }
      Runnable lookup =
          () -> {
            try {
              onSuccess.accept(resolveChecked(host));
            } catch (UnknownHostException | RuntimeException e) {
              promise.tryFailure(e);
            }
          };
      try {
        lookupExecutor.execute(lookup);
      } catch (RuntimeException e) {
        promise.tryFailure(e);
      }
    }
  }

  /**
   * Lookup answers by host name, each kept for a fixed time. When more than the maximum number of
   * names are cached, the least recently used one is dropped. Thread-safe.
   */
  private static final class AnswerCache {
    private final LongSupplier nanoTicker;
    private final long ttlNanos;
    private final LinkedHashMap<String, Answer> answers;

    AnswerCache(LongSupplier nanoTicker, Duration ttl, int maxHosts) {
      this.nanoTicker = nanoTicker;
      this.ttlNanos = ttl.toNanos();
      this.answers =
          new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
              return size() > maxHosts;
            }
          };
    }

    /** Returns a copy of the answer for {@code host}, or null when none is cached or it expired. */
    synchronized InetAddress[] get(String host) {
      Answer answer = answers.get(host);
      if (answer == null) {
        return null;
      }
      if (nanoTicker.getAsLong() - answer.expiresAtNanos() >= 0) {
        answers.remove(host);
        return null;
      }
      return answer.addresses().clone();
    }

    synchronized void put(String host, InetAddress[] addresses) {
      answers.put(host, new Answer(addresses.clone(), nanoTicker.getAsLong() + ttlNanos));
    }

    synchronized int size() {
      return answers.size();
    }

    private record Answer(InetAddress[] addresses, long expiresAtNanos) {}
  }
}
