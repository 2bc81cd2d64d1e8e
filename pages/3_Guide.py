"""Guide: the model, the charts and the maths behind them, then experiments to run in class.

Text and wiring only. The experiments come from `ui.guide_experiments`, matched to
the presets that exist; each button opens its preset on the dashboard.

Every paragraph (and every item of a list) is one message for the translators, so a
change to one sentence touches one catalog entry. Formulas stay in the messages as they
are: the translations keep them character for character (tests/test_guide_page.py).
"""

from __future__ import annotations

import streamlit as st

from gan_core.config import GanConfig
from gan_core.i18n import _
from gan_core.presets import Preset
from gan_core.serialize import to_query
from ui import language, navigation
from ui.guide_experiments import Experiment, experiments

language.choose()  # first: every string below is in the chosen language
st.set_page_config(page_title=_("Guide · GANscope"), layout="wide")
with st.sidebar:
    navigation.links()
    language.switch()


def open_on_dashboard(config: GanConfig) -> None:
    # The dashboard loads any config parameters it did not write itself; `lang` keeps the
    # address saying which language the page is read in.
    st.switch_page("dashboard.py", query_params={**to_query(config), **language.link_value()})


def bullets(*items: str) -> str:
    """A Markdown list of already translated items."""
    return "\n".join(f"- {item}" for item in items)


def preset_title(preset: Preset) -> str:
    # A preset's texts are written in gan_core/presets.py; these two functions are the only
    # places the Guide reads them, translated where the catalog has them.
    return _translated(preset.title)


def preset_explanation(preset: Preset) -> str:
    return _translated(preset.explanation)


def _translated(text: str) -> str:
    return _(text) if text else text  # gettext("") is the catalog's header, not ""


def the_game() -> None:
    st.header(_("Two players and a cloud of points"))
    st.markdown(
        _(
            "The **real data** are 1,000 points in the plane, drawn as $X = ZA + b$ with each "
            "row of $Z$ from a standard normal: a Gaussian with mean $b = (1, 2)$ and "
            "covariance $A^\\top A$, a long thin ellipse. The **generator** G turns random "
            "noise $z$ into points of its own. The **discriminator** D looks at a point and "
            "says how sure it is that the point is real. D learns to tell the two apart; G "
            "learns from D's verdicts how to make points D takes for real. When neither can "
            "improve, G's points look like the data."
        )
    )
    st.subheader(_("The model of the original tutorial"))
    st.markdown(
        bullets(
            _(
                "**G** is one linear layer, $G(z) = zW + c$: it can stretch, turn and shift "
                "the noise, nothing more."
            ),
            _(
                "**D** is a small network, 2 → 5 → 3 → 2 with tanh between layers. Its two "
                "outputs are scores for *fake* and *real*; a softmax turns them into $D(x)$, "
                "the probability that $x$ is real."
            ),
            _(
                "**Losses** are cross-entropies: D is rewarded for calling real points real "
                "and fake points fake, G for getting its points called real."
            ),
            _(
                "**Training** alternates one Adam step for D (learning rate 0.05) and one for "
                "G (0.01) on batches of 4, for 10 passes over the data: 2,500 steps."
            ),
        )
    )
    st.latex(
        r"L_D = -\tfrac{1}{m}\sum_i \log D(x_i)"
        r" \;-\; \tfrac{1}{m}\sum_i \log\bigl(1 - D(G(z_i))\bigr)"
    )
    st.latex(r"L_G = -\tfrac{1}{m}\sum_i \log D(G(z_i))")
    st.caption(
        _(
            "G's loss is the non-saturating form. The original GAN paper's G minimised "
            "log(1 − D(G(z))) instead: the same game, but a much weaker push when D is "
            "winning (see the minimax experiment below)."
        )
    )


def the_charts() -> None:
    st.header(_("What the dashboard shows"))
    st.markdown(
        bullets(
            _(
                "**The plane.** Real points and G's points. Underneath, D's view of the plane "
                "as a heatmap: for the cross-entropy losses, the colour at $x$ is $D(x)$, the "
                "real points' colour where D says *real*, the fakes' colour where it says "
                "*fake*, white where it cannot decide. (For the other losses D gives a score, "
                "not a probability.) The ellipses are the 1σ and 2σ contours of the target and "
                "of G's Gaussian. The arrows show where G's next update moves each fake point: "
                "uphill on D's view, towards where D says *real*."
            ),
            _("**Losses.** D's and G's loss at each logged step, with a line at $2\\ln 2$."),
            _(
                "**Accuracy.** The share of 100 real and 100 fake points D labels correctly. "
                "100 % means D wins outright; 50 %, a coin flip."
            ),
            _(
                "**Distance.** How far G's distribution is from the target: the squared "
                "Fréchet distance, on a log scale, computed exactly (below). Zero means G "
                "makes exactly the target distribution."
            ),
        )
    )


def the_equilibrium() -> None:
    st.header(_("Why D's loss settles at 2·ln 2"))
    st.markdown(
        _(
            "For a fixed G, the best D is the one that weighs how likely a point is under "
            "each distribution, where $p$ is the data's density and $q$ is G's:"
        )
    )
    st.latex(r"D^*(x) = \frac{p(x)}{p(x) + q(x)}")
    st.markdown(
        _(
            "When G has learnt the data, $q = p$ and $D^*(x) = \\tfrac12$ everywhere: D is "
            "reduced to guessing. Each of D's two cross-entropy terms is then "
            "$-\\ln\\tfrac12$:"
        )
    )
    st.latex(r"L_D = -\ln\tfrac12 - \ln\tfrac12 = 2\ln 2 \approx 1.386")
    st.markdown(
        _(
            "and its accuracy is 50 %. The converse does not hold: a small D can be fooled by "
            "a G that is still wrong, and its loss reads 2·ln 2 all the same. That is why the "
            "dashboard also shows the distance to the target."
        )
    )


def the_distance() -> None:
    st.header(_("An exact distance, at every step"))
    st.markdown(
        _(
            "The seed's G is affine and its noise is Gaussian. An affine map of a Gaussian is "
            "Gaussian, so G's output is *exactly* a Gaussian, with a mean and covariance read "
            "straight off its weights:"
        )
    )
    st.latex(
        r"z \sim \mathcal N(0, I) \;\Rightarrow\;"
        r" zW + c \sim \mathcal N\!\left(c,\; W^\top W\right)"
    )
    st.markdown(
        _(
            "The target is $\\mathcal N(b, A^\\top A)$, so G can match it exactly: $c = b$ "
            "and any $W$ with $W^\\top W = A^\\top A$ ($W = A$, or $A$ after any rotation of "
            "the noise). Between two Gaussians, the squared Fréchet (2-Wasserstein) distance "
            "is"
        )
    )
    st.latex(
        r"d^2 = \lVert\mu_1-\mu_2\rVert^2 + \operatorname{tr}\Sigma_1 + \operatorname{tr}\Sigma_2"
        r" - 2\,\operatorname{tr}\bigl(\Sigma_1^{1/2}\,\Sigma_2\,\Sigma_1^{1/2}\bigr)^{1/2}"
    )
    st.markdown(
        _(
            "In two dimensions the matrix square root is not needed. The matrix inside has "
            "two eigenvalues $\\lambda_1, \\lambda_2 \\ge 0$, the same as those of "
            "$\\Sigma_1\\Sigma_2$, and its square root's trace is "
            "$\\sqrt{\\lambda_1} + \\sqrt{\\lambda_2}$. Squaring that gives the trace plus "
            "twice the square root of the determinant:"
        )
    )
    st.latex(
        r"\operatorname{tr}\bigl(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2}\bigr)^{1/2}"
        r" = \sqrt{\operatorname{tr}(\Sigma_1\Sigma_2) + 2\sqrt{\det\Sigma_1\,\det\Sigma_2}}"
    )
    st.markdown(
        _(
            "So the distance is a handful of 2×2 products, computed from G's weights at every "
            "logged step with no sampling and no noise. With hidden layers in G, its mean and "
            "covariance are estimated from samples instead. And on the ring or the grid the "
            "distance compares means and covariances only, so it cannot see whether the modes "
            "are covered: the mode count tells more there."
        )
    )


def experiment_card(experiment: Experiment) -> None:
    preset, lesson = experiment.preset, experiment.lesson
    title, explanation = preset_title(preset), preset_explanation(preset)
    with st.container(border=True):
        st.subheader(_(lesson.title) if lesson else title)
        if lesson:
            st.markdown(
                _("**Preset:** {title}. {explanation}").format(title=title, explanation=explanation)
            )
            st.markdown(_("**Watch for:** {watch}").format(watch=_(lesson.watch)))
        else:
            st.markdown(explanation)
        label = _("Load “{title}” on the dashboard").format(title=title)
        if st.button(label, key=f"try_{preset.name}"):
            open_on_dashboard(preset.config)


def the_experiments() -> None:
    st.header(_("Experiments"))
    st.markdown(
        _(
            "Each button opens the dashboard with a preset loaded; press Train there. For a "
            "side-by-side look afterwards, open **Compare** and pick the runs."
        )
    )
    for experiment in experiments():
        experiment_card(experiment)


st.title(_("Guide"))
st.caption(_("How the GAN on the dashboard works, what its charts mean, and what to try."))
the_game()
the_charts()
the_equilibrium()
the_distance()
the_experiments()
