package io.webhookdispatcher.netty;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Resolves host names for the transport's {@code Bootstrap} and checks every resolved address with
 * an {@link AddressFilter}.
 *
 * <p>The resolution fails when any address of the host is rejected, even if others are allowed,
 * because a mix of public and private answers is the usual DNS-rebinding trick. On success the
 * channel connects to the first checked address, so no second lookup can swap it. Lookups of names
 * run on {@code lookupExecutor}, never on an event loop; IP literals are parsed without a lookup.
 * Nothing is cached here; the JVM's own DNS cache applies.
 */
final class FilteringResolverGroup extends AddressResolverGroup<InetSocketAddress> {

  private final Function<String, InetAddress[]> hostResolver;
  private final AddressFilter filter;
  private final Executor lookupExecutor;

  FilteringResolverGroup(
      Function<String, InetAddress[]> hostResolver, AddressFilter filter, Executor lookupExecutor) {
    this.hostResolver = hostResolver;
    this.filter = filter;
    this.lookupExecutor = lookupExecutor;
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
    return new FilteringNameResolver(executor).asAddressResolver();
  }

  /**
   * Returns every address of {@code host}, after checking each one with the filter.
   *
   * @throws UnknownHostException when the lookup fails or finds nothing
   * @throws AddressRejectedException when the filter rejects any of the addresses
   */
  List<InetAddress> resolveChecked(String host) throws UnknownHostException {
    Optional<InetAddress> literal = AddressFilter.parseLiteral(host);
    if (literal.isPresent()) {
      check(host, literal.get(), true);
      return List.of(literal.get());
    }
    InetAddress[] addresses = lookUp(host);
    for (InetAddress address : addresses) {
      check(host, address, false);
    }
    return List.of(addresses);
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
    String subject = literal ? "host " + ip + " is " : "host " + host + " resolves to " + ip + ", ";
    throw new AddressRejectedException(
        subject + reason.get() + "; set allowPrivateAddresses(true) to deliver to it");
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
      Runnable lookup =
          () -> {
            try {
              onSuccess.accept(resolveChecked(host));
            } catch (UnknownHostException | RuntimeException e) {
              promise.tryFailure(e);
            }
          };
      if (AddressFilter.parseLiteral(host).isPresent()) {
        lookup.run();
        return;
      }
      try {
        lookupExecutor.execute(lookup);
      } catch (RuntimeException e) {
        promise.tryFailure(e);
      }
    }
  }
}
