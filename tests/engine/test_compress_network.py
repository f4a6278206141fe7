"""VWC-SDK (issue 7): residual channel pruning per layer, propagation along a chain, rules."""
import numpy as np
import pytest

from engine import ArraySpec, ConvLayer, map_layer
from engine.compress import VwcOptions, chain_links, prune_network
from engine.methods import map_many
from engine.presets import load_preset
from engine.simulate import verify

A512 = ArraySpec(512, 512)
RES4 = ConvLayer("r4", 14, 14, 256, 256, 3, 3)  # VW-SDK: 3x4 PW, ICt 42, AR 7 (residual 4 channels)


def test_residual_channels_are_pruned_and_the_search_rerun():
    base = map_layer(RES4, A512, "vw-sdk")
    assert (base.ict, base.ar, base.cycles) == (42, 7, 504)
    p = map_layer(RES4, A512, "vwc-sdk")
    comp = p.compression
    assert comp.channels_removed.tolist() == [252, 253, 254, 255]  # the last ones: no weights known
    assert comp.rule == "last channels (no weights known)"
    assert (p.ict, p.ar, p.cycles) == (42, 6, 432)
    d = p.to_dict()
    assert d["channels_removed"] == 4 and d["compression"]["cycles_before"] == 504
    assert d["rows_skipped"] == 4 * 12 and d["compression_rate"] == 256 / 252
    assert p.rows_used == 252 * 12 and p.block_occupancy <= 1


def test_max_prune_limits_and_notes():
    p = map_layer(RES4, A512, "vwc-sdk", max_prune=0.01)  # 4 > 2.56 channels
    assert p.compression.rows_skipped == 0 and p.cycles == 504 and "more than max_prune" in p.compression.note
    full = map_layer(ConvLayer("f", 14, 14, 84, 64, 3, 3), A512, "vwc-sdk")
    assert "already full" in full.compression.note
    flat = map_layer(ConvLayer("i", 3, 3, 3, 4, 3, 3), ArraySpec(17, 64), "vwc-sdk")  # VW-SDK falls back to im2col
    assert "im2col" in flat.compression.note and flat.cycles == map_layer(flat.layer, flat.array, "vw-sdk").cycles


def test_l1_rule_with_weights():
    w = np.ones((256, 256, 3, 3))
    quiet = [3, 100, 101, 250]
    w[:, quiet] = 0.01
    p = map_layer(RES4, A512, "vwc-sdk", weights=w)
    assert p.compression.channels_removed.tolist() == quiet
    assert p.compression.rule == "smallest L1 norm (the layer's weights)"
    assert verify(RES4.__class__("small", 5, 6, 256, 8, 3, 3), A512,
                  map_layer(RES4.__class__("small", 5, 6, 256, 8, 3, 3), A512, "vwc-sdk"))


def test_grouped_layers_prune_the_same_channel_of_every_group():
    layer = ConvLayer("g", 6, 6, 2 * 45, 2 * 8, 3, 3, groups=2)
    p = map_layer(layer, ArraySpec(64, 64), "vwc-sdk", max_prune=0.5)
    g = map_layer(layer.per_group(), ArraySpec(64, 64), "vwc-sdk", max_prune=0.5)
    assert p.cycles == 2 * g.cycles and (p.compression.channels_removed == g.compression.channels_removed).all()
    assert verify(layer, ArraySpec(64, 64), p)


def test_chain_links():
    vgg = load_preset("vgg13").layers  # conv chain, then flatten into the classifier
    links = chain_links(vgg)
    assert links[0] is False and all(links[1:10])
    assert links[10] is False and all(links[11:])
    for name in ("resnet20", "mobilenet-v2", "resnet18-paper"):  # residual joins or grouped layers
        assert not any(chain_links(load_preset(name).layers))
    res = load_preset("resnet20").layers
    assert any(chain_links(res, "always")) and not any(chain_links(vgg, "never"))


def test_vgg13_paper_network_pruning():
    net = load_preset("vgg13-paper")
    plans = prune_network(net.layers, A512)
    assert [p.cycles for p in plans] == [p.cycles for p in map_many(net.layers, A512, "vwc-sdk")]
    assert sum(p.compression.base.cycles for p in plans) == 77102
    assert sum(p.cycles for p in plans) == 73510
    for prev, nxt in zip(plans, plans[1:]):  # what a layer no longer reads, its producer no longer writes
        assert (prev.compression.out_channels_removed(prev) == nxt.compression.channels_removed).all()
    c31 = plans[4]
    assert c31.compression.channels_removed.size == 2 and c31.compression.out_channels_removed(c31).size == 4
    assert "no longer reads them" in c31.compression.note
    alone = prune_network(net.layers, A512, VwcOptions(propagate="never"))
    assert all(p.compression.oc_keep is None for p in alone)


@pytest.mark.parametrize("i", [2, 4, 5])
def test_propagated_plans_verify(i):
    from engine.cli import cropped

    net = load_preset("vgg13-paper")
    plan = cropped(prune_network(net.layers, A512)[i], 2)
    assert verify(plan.layer, A512, plan, np.random.default_rng(i))


def test_network_weights_lookup():
    layers = [ConvLayer("a", 10, 10, 3, 47, 3, 3), ConvLayer("b", 8, 8, 47, 8, 3, 3)]  # b: ICt 3, 2 left over
    w = np.ones((8, 47, 3, 3))
    w[:, [5, 30]] = 0
    plans = map_many(layers, ArraySpec(64, 64), "vwc-sdk", weights={"b": w}, max_prune=0.5)
    assert plans[1].compression.channels_removed.tolist() == [5, 30]
    assert plans[0].compression.out_channels_removed(plans[0]).tolist() == [5, 30]
    assert plans[1].compression.rule.startswith("smallest L1")
